import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS, EcpayModule, type EcpayModuleOptions } from '../../src/index.js';
import type { TestDatabase } from './databases.js';
import { STAGE_MERCHANT } from './test-module.js';

/**
 * App instances on one database, as in production behind a load balancer: each its own Nest app on a loopback port
 * with EcpayModule (the stage merchant) and its own extra modules; the first runs the committed migrations.
 */
export async function startAppInstances(
  database: TestDatabase,
  instances: readonly { imports?: readonly Type<unknown>[] }[],
  ecpay: Partial<EcpayModuleOptions> = {},
): Promise<{ apps: INestApplication[]; urls: string[] }> {
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  for (const [index, instance] of instances.entries()) {
    const module = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          ...database.options(),
          autoLoadEntities: true,
          migrations: [...ECPAY_MIGRATIONS],
          migrationsRun: index === 0,
        } as never),
        EcpayModule.forRoot({
          environment: 'stage',
          ...STAGE_MERCHANT,
          publicUrl: 'https://shop.example.com',
          ...ecpay,
        } as EcpayModuleOptions),
        ...(instance.imports ?? []),
      ],
    }).compile();
    const app = module.createNestApplication({ rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    urls.push(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
  }
  return { apps, urls };
}
