import type { Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Test } from '@nestjs/testing';
import { EcpayModule, type EcpayModuleOptions } from '../../src/index.js';

/** The public stage merchant of docs/protocol.md §4.3 — for tests only, never a default. */
export const STAGE_MERCHANT = {
  merchantId: '3002607',
  hashKey: 'pwFHCqoQZGmho4w6',
  hashIv: 'EkRm7iFT261dpevs',
} as const;

/**
 * The app's own TypeORM connection, as EcpayModule expects it: an in-memory sql.js database. `synchronize` is
 * fine here; the persistence suite runs the committed migrations on every database.
 */
export const testDatabase = () =>
  TypeOrmModule.forRoot({ type: 'sqljs', autoLoadEntities: true, synchronize: true, logging: false });

/**
 * Compiles a testing module with EcpayModule.forRoot(options) and a database (close it after use); `providers`
 * (e.g. classes with `@OnEcpayEvent` handlers) join it.
 */
export async function compileEcpay(options: Partial<EcpayModuleOptions> = {}, providers: Type[] = []) {
  return Test.createTestingModule({
    imports: [
      testDatabase(),
      EcpayModule.forRoot({ environment: 'stage', ...STAGE_MERCHANT, ...options } as EcpayModuleOptions),
    ],
    providers,
  }).compile();
}
