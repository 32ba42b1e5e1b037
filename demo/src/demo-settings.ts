import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { ECPAY_MIGRATIONS, type EcpayEnvironment, type EcpayModuleOptions } from 'nestjs-ecpay';

/**
 * ECPay's public stage merchant (docs/protocol.md §4.3): the demo's default outside production, never the library's.
 */
const PUBLIC_STAGE = { merchantId: '3002607', hashKey: 'pwFHCqoQZGmho4w6', hashIv: 'EkRm7iFT261dpevs' };

/** Where the embedded sandbox is mounted inside the demo app. */
export const SANDBOX_PREFIX = '/ecpay-sandbox';

export interface DemoSettings {
  readonly port: number;
  /** The shop's own address: where ECPay (or the sandbox) posts notifications and sends the browser back. */
  readonly publicUrl: string;
  readonly ecpay: EcpayModuleOptions;
  /** True when the demo mounts the local sandbox and sends checkouts to it (ECPAY_ENV=sandbox, the default). */
  readonly sandbox: boolean;
  /**
   * `ECPAY_DEMO_ADMIN_TOKEN`: the credential refunds need outside the sandbox (and on it too, when set). Unset
   * outside the sandbox, refunds are refused.
   */
  readonly adminToken: string | undefined;
  readonly usingPublicStage: boolean;
  readonly database: TypeOrmModuleOptions;
  /** What the start-up line says about the database, without its password. */
  readonly databaseLabel: string;
}

/**
 * The demo's whole configuration, from the environment:
 * - `PORT` (3000), `ECPAY_ENV` (`sandbox` by default: the local stand-in for ECPay mounted in this app; `stage`
 *   for ECPay's real test environment; `production`), `ECPAY_MERCHANT_ID`, `ECPAY_HASH_KEY`, `ECPAY_HASH_IV`
 *   (ECPay's public stage merchant outside production), `ECPAY_PUBLIC_URL` (default http://localhost:PORT);
 * - `ECPAY_DEMO_DATABASE`: a `postgres://…` URL, `memory` (sql.js, gone when the demo stops), or a file for the
 *   embedded SQLite (better-sqlite3; default `.data/demo-shop.sqlite`);
 * - `ECPAY_DEMO_ADMIN_TOKEN`: the administrator's token for refunds (required for them outside the sandbox).
 *
 * The demo shows the library; it is not a shop to deploy (no customers, no login, one member for saved cards).
 */
export function demoSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const port = Number(env.PORT ?? 3000);
  const environment = (env.ECPAY_ENV ?? 'sandbox') as EcpayEnvironment;
  const fallback = environment === 'production' ? undefined : PUBLIC_STAGE;
  const publicUrl = (env.ECPAY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const sandbox = environment === 'sandbox';
  const ecpay: EcpayModuleOptions = {
    environment,
    merchantId: env.ECPAY_MERCHANT_ID ?? fallback?.merchantId ?? '',
    hashKey: env.ECPAY_HASH_KEY ?? fallback?.hashKey ?? '',
    hashIv: env.ECPAY_HASH_IV ?? fallback?.hashIv ?? '',
    publicUrl,
    orderResultPage: '/orders/done',
    ...(sandbox ? { sandboxUrl: `${publicUrl}${SANDBOX_PREFIX}` } : {}),
  };
  const { database, databaseLabel } = demoDatabase(env.ECPAY_DEMO_DATABASE ?? '.data/demo-shop.sqlite');
  const adminToken = env.ECPAY_DEMO_ADMIN_TOKEN === '' ? undefined : env.ECPAY_DEMO_ADMIN_TOKEN;
  return {
    port,
    publicUrl,
    ecpay,
    sandbox,
    adminToken,
    usingPublicStage: fallback !== undefined && env.ECPAY_MERCHANT_ID === undefined,
    database,
    databaseLabel,
  };
}

function demoDatabase(setting: string): { database: TypeOrmModuleOptions; databaseLabel: string } {
  // The library's committed migrations build the schema, as in production; autoLoadEntities picks up its entities.
  const common = { autoLoadEntities: true, migrations: [...ECPAY_MIGRATIONS], migrationsRun: true, logging: false };
  if (/^postgres(ql)?:\/\//.test(setting)) {
    const url = new URL(setting);
    return {
      database: { type: 'postgres', url: setting, ...common },
      databaseLabel: `PostgreSQL ${url.host}${url.pathname}`,
    };
  }
  if (setting === 'memory')
    return { database: { type: 'sqljs', ...common }, databaseLabel: 'SQLite in memory (sql.js)' };
  return {
    database: { ...sqliteFile(setting), ...common },
    databaseLabel: `SQLite file ${setting} (better-sqlite3, WAL)`,
  };
}

/**
 * The embedded database as a shop on one machine runs it. WAL: a commit appends to the -wal file instead of
 * rewriting pages in place, so a write costs the same however large the file is, and a crash at any moment leaves
 * the last committed state. `synchronous = NORMAL`: a commit is in the operating system's hands before ECPay is
 * answered `1|OK`, so it survives the app being killed; only a power cut or kernel crash can lose the last commits
 * (never the file), and FULL would pay one fsync per commit for that. The busy timeout waits for another process's
 * write lock (a backup, the migration CLI) instead of failing at once; TypeORM keeps one connection, the one writer.
 */
function sqliteFile(file: string): TypeOrmModuleOptions {
  return {
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    timeout: 5000,
    prepareDatabase: (db: { pragma(source: string): unknown }) => void db.pragma('synchronous = NORMAL'),
  };
}
