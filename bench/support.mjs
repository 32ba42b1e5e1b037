// What the benchmark scripts share: the PostgreSQL server they use (the same variables as the persistence tests in
// test/support/databases.ts), a scratch database that is always dropped, interrupt handling and small helpers.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

const env = process.env;

export const PG = {
  host: env.ECPAY_TEST_PG_HOST ?? '127.0.0.1',
  port: Number(env.ECPAY_TEST_PG_PORT ?? 5432),
  user: env.ECPAY_TEST_PG_USER ?? 'postgres',
  password: env.ECPAY_TEST_PG_PASSWORD ?? '',
  adminDatabase: env.ECPAY_TEST_PG_ADMIN_DB ?? 'test',
};

/** A failed precondition of a benchmark: printed as ABORT without a stack. */
export class BenchAbort extends Error {}

export const check = (condition, message) => {
  if (!condition) throw new BenchAbort(message);
};

export const describeError = (error) => {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error)
    return [typeof error.code === 'string' ? error.code : null, error.message].filter(Boolean).join(': ') || error.name;
  return String(error);
};

/** Runs `work` with a client connected to the admin database. */
export async function pgAdmin(work, timeoutMs = 10_000) {
  const client = new pg.Client({
    host: PG.host,
    port: PG.port,
    user: PG.user,
    password: PG.password,
    database: PG.adminDatabase,
    connectionTimeoutMillis: timeoutMs,
  });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let scratch; // the scratch database of this run, for the interrupt handler

/**
 * Creates `ecpay_bench_<random>`; `drop()` is memoised, so a finally block and the interrupt handler can both call
 * it, and waits for a CREATE still in flight (else the database would survive). WITH (FORCE) ends open sessions.
 */
export function createScratchDatabase() {
  const name = `ecpay_bench_${randomBytes(6).toString('hex')}`; // [a-z0-9_] only: safe inside double quotes
  let dropping;
  const created = pgAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  scratch = {
    name,
    created,
    drop: () =>
      (dropping ??= created
        .catch(() => undefined)
        .then(() =>
          pgAdmin((client) =>
            client
              .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
              .catch(() => client.query(`DROP DATABASE IF EXISTS "${name}"`)),
          ),
        )
        .then(() => undefined)),
  };
  return scratch;
}

/** The `ecpay_bench_%` databases still on the server, for the report's clean-up line. */
export async function leftoverScratchDatabases() {
  const left = await pgAdmin((client) =>
    client.query(`SELECT datname FROM pg_database WHERE datname LIKE 'ecpay\\_bench\\_%'`),
  );
  return left.rows.map((row) => row.datname);
}

/**
 * On SIGINT/SIGTERM: `stop()` (abort benches, kill children), drop the scratch database, exit 130. Returns a
 * function telling whether that happened.
 */
export function onInterrupt(stop) {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      interrupted = true;
      console.log(`\n${signal}: stopping${scratch ? ` and dropping ${scratch.name}` : ''}…`);
      stop();
      (scratch ? scratch.drop() : Promise.resolve())
        .catch((error) => console.error(`could not drop ${scratch.name}: ${describeError(error)}`))
        .finally(() => process.exit(130));
    });
  }
  return () => interrupted;
}

/** The installed version of a package, for the report. */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return '(version unknown)';
  }
}
