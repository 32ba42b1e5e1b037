import { describe, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';

/**
 * The databases the persistence tests run on: sql.js (in memory) and SQLite files through better-sqlite3 always;
 * PostgreSQL and MariaDB when their servers answer.
 *
 * Each test file gets its own freshly created database per server (`ecpay_test_<random>`), or its own SQLite file in a
 * fresh temporary directory, and drops (deletes) it again, so runs never see each other's rows and leave nothing
 * behind. A server that does not answer within a second is
 * skipped with a message saying so — except under `CI=true`, where that is an error: CI must run them all.
 *
 * Servers (override with the environment variables named):
 * - PostgreSQL 127.0.0.1:5432, user `postgres`, trust auth, admin database `test`
 *   (`ECPAY_TEST_PG_HOST`, `ECPAY_TEST_PG_PORT`, `ECPAY_TEST_PG_USER`, `ECPAY_TEST_PG_PASSWORD`,
 *   `ECPAY_TEST_PG_ADMIN_DB`);
 * - MariaDB/MySQL 127.0.0.1:3306, user `root`, empty password
 *   (`ECPAY_TEST_MYSQL_HOST`, `ECPAY_TEST_MYSQL_PORT`, `ECPAY_TEST_MYSQL_USER`, `ECPAY_TEST_MYSQL_PASSWORD`).
 */

export type TestDatabaseKind = 'sqljs' | 'better-sqlite3' | 'postgres' | 'mariadb';

export interface TestDatabaseTarget {
  kind: TestDatabaseKind;
  /**
   * For test titles: `sql.js`, `SQLite file (better-sqlite3)`, `PostgreSQL 127.0.0.1:5432`, `MariaDB 127.0.0.1:3306`.
   */
  label: string;
  /** Why this database's tests are skipped (server unreachable outside CI), or null when they run. */
  skipReason: string | null;
}

/** A database created for one test file. Call `drop()` in `afterAll`, after destroying its DataSources. */
export interface TestDatabase {
  /** The database's name (`ecpay_test_<random>`; `:memory:` for sql.js; the file's path for better-sqlite3). */
  name: string;
  /** TypeORM options for it, without entities/migrations. Each call gives a fresh object. */
  options(): DataSourceOptions;
  drop(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 1000;
const env = process.env;

const PG = {
  host: env.ECPAY_TEST_PG_HOST ?? '127.0.0.1',
  port: Number(env.ECPAY_TEST_PG_PORT ?? 5432),
  user: env.ECPAY_TEST_PG_USER ?? 'postgres',
  password: env.ECPAY_TEST_PG_PASSWORD ?? '',
  adminDatabase: env.ECPAY_TEST_PG_ADMIN_DB ?? 'test',
};

const MYSQL = {
  host: env.ECPAY_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(env.ECPAY_TEST_MYSQL_PORT ?? 3306),
  user: env.ECPAY_TEST_MYSQL_USER ?? 'root',
  password: env.ECPAY_TEST_MYSQL_PASSWORD ?? '',
};

const pgLabel = `PostgreSQL ${PG.host}:${PG.port}`;
const mysqlLabel = `MariaDB ${MYSQL.host}:${MYSQL.port}`;

/** A fresh name for a scratch database: only [a-z0-9_], so it needs no quoting rules beyond the usual. */
export function randomDatabaseName(): string {
  return `ecpay_test_${randomBytes(6).toString('hex')}`;
}

async function pgAdmin<T>(work: (client: pg.Client) => Promise<T>, timeoutMs = 10_000): Promise<T> {
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

async function mysqlAdmin<T>(work: (connection: mysql.Connection) => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const connection = await mysql.createConnection({
    host: MYSQL.host,
    port: MYSQL.port,
    user: MYSQL.user,
    password: MYSQL.password,
    connectTimeout: timeoutMs,
  });
  try {
    return await work(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return [typeof code === 'string' ? code : null, error.message].filter(Boolean).join(': ') || error.name;
  }
  return String(error);
}

/** Null when the server answers, else why not. */
async function probe(label: string, connect: () => Promise<unknown>): Promise<string | null> {
  try {
    await connect();
    return null;
  } catch (error) {
    return `${label} not reachable (${describeError(error)})`;
  }
}

/**
 * The targets, decided once when a test file loads (quick connection probes). Under CI=true an unreachable
 * server makes this reject, which fails the test file loudly; otherwise its tests are skipped with a warning.
 */
export async function testDatabaseTargets(): Promise<TestDatabaseTarget[]> {
  // Both probes finish before anything is decided, so no connection attempt outlives the test file.
  const [postgresSkip, mariadbSkip] = await Promise.all([
    probe(pgLabel, () => pgAdmin((client) => client.query('SELECT 1'), PROBE_TIMEOUT_MS)),
    probe(mysqlLabel, () => mysqlAdmin((connection) => connection.query('SELECT 1'), PROBE_TIMEOUT_MS)),
  ]);
  const unreachable = [postgresSkip, mariadbSkip].filter((reason): reason is string => reason !== null);
  if (unreachable.length > 0 && env.CI === 'true') {
    throw new Error(`${unreachable.join('; ')}. CI=true: the persistence tests must run against every database in CI.`);
  }
  for (const reason of unreachable) {
    console.warn(`SKIPPED: ${reason}; its persistence tests are skipped. (Under CI=true this is an error.)`);
  }
  return [
    { kind: 'sqljs', label: 'sql.js', skipReason: null },
    { kind: 'better-sqlite3', label: 'SQLite file (better-sqlite3)', skipReason: null },
    { kind: 'postgres', label: pgLabel, skipReason: postgresSkip },
    { kind: 'mariadb', label: mysqlLabel, skipReason: mariadbSkip },
  ];
}

/**
 * One `describe` per database target, titled `<title> on <label>`. A target whose server was unreachable (outside
 * CI; under CI=true `testDatabaseTargets` already failed) gets one test that Jest reports as skipped, named with the
 * reason, so a skip is never counted as a pass.
 */
export function describeEachDatabase(
  targets: readonly TestDatabaseTarget[],
  title: string,
  body: (kind: TestDatabaseKind) => void,
): void {
  describe.each(targets)(`${title} on $label`, ({ kind, skipReason }) => {
    if (skipReason !== null) {
      it.skip(`SKIPPED: ${skipReason}`, () => undefined);
      return;
    }
    body(kind);
  });
}

/**
 * Whether TypeORM reaches this database through one connection per DataSource (SQLite), so a second app instance in
 * the same process must share the first one's DataSource: two better-sqlite3 connections to one file in one process
 * would wait on each other's write lock inside the same (blocked) event loop.
 */
export function isSingleConnection(kind: TestDatabaseKind): boolean {
  return kind === 'sqljs' || kind === 'better-sqlite3';
}

/**
 * better-sqlite3 the way the README and the demo configure it: WAL, `synchronous = NORMAL` (a commit survives a crash
 * of the app), a busy timeout for another process's write lock.
 */
export function sqliteFileOptions(file: string, busyTimeoutMs = 5000): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: file,
    enableWAL: true,
    timeout: busyTimeoutMs,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('synchronous = NORMAL');
    },
  };
}

/** Creates a fresh, empty database of this kind (sql.js: in memory) and says how to reach and drop it. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  switch (kind) {
    case 'sqljs':
      return { name: ':memory:', options: () => ({ type: 'sqljs', autoSave: false }), drop: async () => undefined };

    case 'better-sqlite3': {
      const directory = await mkdtemp(join(tmpdir(), 'ecpay-test-'));
      const name = join(directory, 'ecpay.sqlite');
      // The directory goes with the file: its -wal and -shm companions live beside it.
      return {
        name,
        options: () => sqliteFileOptions(name),
        drop: () => rm(directory, { recursive: true, force: true }),
      };
    }

    case 'postgres': {
      const name = randomDatabaseName();
      await pgAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
      return {
        name,
        options: () => ({
          type: 'postgres',
          host: PG.host,
          port: PG.port,
          username: PG.user,
          password: PG.password,
          database: name,
        }),
        drop: () =>
          pgAdmin(async (client) => {
            // WITH (FORCE) (PostgreSQL 13+) also ends sessions a failed test may have left open.
            await client
              .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
              .catch(() => client.query(`DROP DATABASE IF EXISTS "${name}"`));
          }),
      };
    }

    case 'mariadb': {
      const name = randomDatabaseName();
      await mysqlAdmin((connection) =>
        connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`),
      );
      return {
        name,
        options: () => ({
          type: 'mariadb',
          host: MYSQL.host,
          port: MYSQL.port,
          username: MYSQL.user,
          password: MYSQL.password,
          database: name,
          // mysql2 writes and reads DATETIME values as UTC instead of the process's time zone.
          timezone: 'Z',
        }),
        drop: () =>
          mysqlAdmin((connection) => connection.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
      };
    }
  }
}
