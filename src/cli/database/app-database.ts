import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { EcpayDatabaseError } from '../../errors/ecpay-database.error.js';
import { ECPAY_ENTITIES } from '../../persistence/ecpay.entities.js';
import { EcpayNotification } from '../../persistence/ecpay-notification.entity.js';
import { EcpayTradeAction } from '../../persistence/ecpay-trade-action.entity.js';
import { CliUsageError, type CliIo } from '../cli-io.js';
import type { CliValues } from '../commands/cli-command.js';

/** The tables the operator commands read and write; their absence means the app's migrations have not run here. */
const REQUIRED_TABLES = ['ecpay_notification', 'ecpay_trade_action', 'ecpay_trade'] as const;

/**
 * Opens the app's database the way the TypeORM CLI finds it: `--url` (or `ECPAY_DATABASE_URL`) — a
 * `postgres://`, `mysql://` or `mariadb://` URL, or a SQLite file's path — or `-d/--data-source <file>` exporting the
 * app's DataSource. Never runs migrations, synchronizes or creates anything: a missing file or table is an error.
 */
export async function openAppDatabase(values: CliValues, io: CliIo): Promise<DataSource> {
  const url = values.url ?? io.env.ECPAY_DATABASE_URL;
  if (values['data-source'] !== undefined && values.url !== undefined)
    throw new CliUsageError('give the database once: --url or --data-source, not both');
  const dataSource =
    values['data-source'] !== undefined
      ? await dataSourceFromFile(values['data-source'])
      : url
        ? await dataSourceFromUrl(url)
        : undefined;
  if (!dataSource) {
    throw new CliUsageError(
      'which database? --url <postgres://…|mysql://…|mariadb://…|sqlite file>, ECPAY_DATABASE_URL, or -d <data-source file>',
    );
  }
  // Whatever the app's file says: this command changes no schema and runs no migration.
  dataSource.setOptions({ synchronize: false, migrationsRun: false, dropSchema: false } as Partial<DataSourceOptions>);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new EcpayDatabaseError(`cannot open ${describe(dataSource)}: ${errorCode(error)}`);
  }
  try {
    await assertReady(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}

async function dataSourceFromUrl(url: string): Promise<DataSource> {
  const { DataSource } = await import('typeorm');
  const entities = [...ECPAY_ENTITIES];
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return new DataSource({ type: 'postgres', url, entities });
  // As the README configures MariaDB/MySQL: DATETIMEs written and read as UTC, whatever this machine's TZ.
  if (scheme === 'mysql' || scheme === 'mariadb') return new DataSource({ type: scheme, url, entities, timezone: 'Z' });
  if (scheme !== undefined)
    throw new CliUsageError(`--url: unsupported scheme "${scheme}://" (postgres, mysql, mariadb)`);
  const path = url.replace(/^sqlite:/i, '');
  // better-sqlite3 would create a missing file: an empty database that has none of the app's events.
  if (path === ':memory:' || !existsSync(path) || !statSync(path).isFile())
    throw new EcpayDatabaseError(`no SQLite database file at ${path}`);
  return new DataSource({ type: 'better-sqlite3', database: path, entities });
}

async function dataSourceFromFile(file: string): Promise<DataSource> {
  const path = isAbsolute(file) ? file : resolve(process.cwd(), file);
  if (!existsSync(path)) throw new EcpayDatabaseError(`no data-source file at ${path}`);
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new EcpayDatabaseError(`cannot load ${path}: ${(error as Error).name} ${errorCode(error)}`);
  }
  // Like the TypeORM CLI: the default export, else the one exported DataSource.
  const candidates = [exported.default, ...Object.values(exported)].filter(isDataSource);
  if (candidates.length === 0) throw new EcpayDatabaseError(`${path} exports no TypeORM DataSource`);
  return candidates[0]!;
}

const isDataSource = (value: unknown): value is DataSource =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as DataSource).initialize === 'function' &&
  typeof (value as DataSource).setOptions === 'function';

async function assertReady(dataSource: DataSource): Promise<void> {
  if (!dataSource.hasMetadata(EcpayNotification) || !dataSource.hasMetadata(EcpayTradeAction)) {
    throw new EcpayDatabaseError(
      `the DataSource of ${describe(dataSource)} does not list nestjs-ecpay's entities: add ...ECPAY_ENTITIES to its entities`,
    );
  }
  const runner = dataSource.createQueryRunner();
  try {
    for (const table of REQUIRED_TABLES) {
      if (!(await runner.hasTable(table))) {
        throw new EcpayDatabaseError(
          `${describe(dataSource)} has no ${table} table: run the app's migrations first (this command creates nothing)`,
        );
      }
    }
  } finally {
    await runner.release();
  }
}

/** The database for messages: its type and where it is, the password masked. */
function describe(dataSource: DataSource): string {
  const options = dataSource.options as { type: string; url?: string; database?: unknown; host?: string };
  if (options.url) return maskPassword(options.url);
  if (options.type === 'better-sqlite3' || options.type === 'sqlite') return `SQLite ${String(options.database)}`;
  return `${options.type} ${options.host ?? 'localhost'}/${String(options.database ?? '')}`;
}

export const maskPassword = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@');

/** What the commonest driver codes mean, for an operator who does not know PostgreSQL's SQLSTATEs by heart. */
const MEANING: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  ETIMEDOUT: 'connection timed out',
  '3D000': 'no such database',
  ER_BAD_DB_ERROR: 'no such database',
  '28P01': 'authentication failed',
  '28000': 'authentication failed',
  ER_ACCESS_DENIED_ERROR: 'authentication failed',
  SQLITE_NOTADB: 'not a SQLite database',
};

/**
 * A driver error by its code (ECONNREFUSED, 28P01, ER_ACCESS_DENIED_ERROR…), never its message: it may quote the URL.
 */
function errorCode(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorCode(error.errors[0]);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error instanceof Error ? error.name : 'failed';
  return MEANING[code] ? `${MEANING[code]} (${code})` : code;
}
