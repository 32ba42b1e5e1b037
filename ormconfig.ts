import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ECPAY_ENTITIES } from './src/persistence/ecpay.entities.js';
import { ECPAY_MIGRATIONS } from './src/persistence/migrations/index.js';

/**
 * The DataSource the TypeORM CLI uses to run, revert and generate this library's migrations
 * (`npm run migration:run | migration:revert | migration:show | migration:generate -- <path>`; the scripts compile
 * this file with tsc first, since TypeORM's CLI cannot load TypeScript without ts-node).
 *
 * The database comes from the environment:
 * - `ECPAY_DB_TYPE`: `sqljs` (default), `better-sqlite3`, `postgres`, `mariadb` or `mysql`;
 * - `ECPAY_DB_URL` (e.g. `postgres://postgres@127.0.0.1:5432/shop`), or `ECPAY_DB_HOST`, `ECPAY_DB_PORT`,
 *   `ECPAY_DB_USER`, `ECPAY_DB_PASSWORD`, `ECPAY_DB_DATABASE`;
 * - for sqljs, `ECPAY_DB_DATABASE` is a file to load and save (without it the database lives in memory only);
 *   for better-sqlite3, the SQLite file (required), opened in WAL mode as the README configures it.
 */
export function ecpayCliDataSourceOptions(env: NodeJS.ProcessEnv = process.env): DataSourceOptions {
  const common = {
    entities: [...ECPAY_ENTITIES],
    migrations: [...ECPAY_MIGRATIONS],
    synchronize: false,
    migrationsRun: false,
  };
  const type = env.ECPAY_DB_TYPE ?? 'sqljs';
  const connection = {
    ...(env.ECPAY_DB_URL ? { url: env.ECPAY_DB_URL } : {}),
    ...(env.ECPAY_DB_HOST ? { host: env.ECPAY_DB_HOST } : {}),
    ...(env.ECPAY_DB_PORT ? { port: Number(env.ECPAY_DB_PORT) } : {}),
    ...(env.ECPAY_DB_USER ? { username: env.ECPAY_DB_USER } : {}),
    ...(env.ECPAY_DB_PASSWORD !== undefined ? { password: env.ECPAY_DB_PASSWORD } : {}),
    ...(env.ECPAY_DB_DATABASE ? { database: env.ECPAY_DB_DATABASE } : {}),
  };
  switch (type) {
    case 'sqljs':
      return env.ECPAY_DB_DATABASE
        ? { ...common, type, location: env.ECPAY_DB_DATABASE, autoSave: true }
        : { ...common, type, autoSave: false };
    case 'better-sqlite3':
      if (!env.ECPAY_DB_DATABASE)
        throw new Error('ECPAY_DB_TYPE=better-sqlite3 needs ECPAY_DB_DATABASE, the SQLite file.');
      return { ...common, type, database: env.ECPAY_DB_DATABASE, enableWAL: true, timeout: 5000 };
    case 'postgres':
      return { ...common, type, ...connection };
    case 'mariadb':
    case 'mysql':
      // mysql2 writes and reads DATETIME values as UTC, whatever the process's time zone.
      return { ...common, type, timezone: 'Z', charset: 'utf8mb4_unicode_ci', ...connection };
    default:
      throw new Error(`ECPAY_DB_TYPE must be sqljs, better-sqlite3, postgres, mariadb or mysql (got "${type}").`);
  }
}

export default new DataSource(ecpayCliDataSourceOptions());
