import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS } from '../../src/index.js';
import { CuttableProxy } from './cuttable-proxy.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/**
 * A fresh PostgreSQL test database behind a started CuttableProxy, and the app's TypeORM connection through that
 * proxy (migrations run; no connection retries, so a cut shows at once). Tear down in the caller's order: restore the
 * proxy, close the app, then `proxy.close()` and `database.drop()`.
 */
export async function cuttablePostgres(): Promise<{
  database: TestDatabase;
  proxy: CuttableProxy;
  typeOrm: DynamicModule;
}> {
  const database = await createTestDatabase('postgres');
  const options = database.options() as { host: string; port: number };
  const proxy = new CuttableProxy(options.host, options.port);
  await proxy.start();
  const typeOrm = TypeOrmModule.forRoot({
    ...database.options(),
    host: '127.0.0.1',
    port: proxy.port,
    autoLoadEntities: true,
    migrations: [...ECPAY_MIGRATIONS],
    migrationsRun: true,
    retryAttempts: 0,
  } as never);
  return { database, proxy, typeOrm };
}
