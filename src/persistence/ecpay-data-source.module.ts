import { Module, type DynamicModule } from '@nestjs/common';
import { ECPAY_DATA_SOURCE } from '../config/ecpay.constants.js';
import { ECPAY_ENTITIES } from './ecpay.entities.js';
import { typeOrmInstalled, typeOrmMissingError } from './typeorm-peer.js';

export { ECPAY_DATA_SOURCE, InjectEcpayDataSource } from '../config/ecpay.constants.js';

/**
 * The bridge to the app's TypeORM connection: registers the entities with it (so `autoLoadEntities` finds them) and
 * aliases its DataSource as {@link ECPAY_DATA_SOURCE}, the one token every store and service injects.
 *
 * `@nestjs/typeorm` is an optional peer (and ESM-only from v12), so it is imported here, when persistence is on,
 * rather than when the package loads: an app with `persistence: false` needs neither it nor typeorm.
 */
@Module({})
export class EcpayDataSourceModule {
  static register(dataSource?: string): Promise<DynamicModule> {
    const registration = EcpayDataSourceModule.load(dataSource);
    // Nest awaits this while it scans modules, which may be a few ticks after forRoot() ran; the no-op handler keeps
    // a missing package from being reported as an unhandled rejection before Nest reports it properly.
    registration.catch(() => undefined);
    return registration;
  }

  private static async load(dataSource?: string): Promise<DynamicModule> {
    if (!typeOrmInstalled) throw typeOrmMissingError('persistence (the default)');
    let nestTypeOrm: typeof import('@nestjs/typeorm');
    try {
      nestTypeOrm = await import('@nestjs/typeorm');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (
        (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
        String((error as Error).message).includes("'@nestjs/typeorm'")
      ) {
        throw typeOrmMissingError('persistence (the default)');
      }
      throw error;
    }
    return {
      module: EcpayDataSourceModule,
      imports: [nestTypeOrm.TypeOrmModule.forFeature([...ECPAY_ENTITIES], dataSource)],
      providers: [{ provide: ECPAY_DATA_SOURCE, useExisting: nestTypeOrm.getDataSourceToken(dataSource) }],
      exports: [ECPAY_DATA_SOURCE],
    };
  }
}
