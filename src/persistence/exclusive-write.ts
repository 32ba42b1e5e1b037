import type { DataSource } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Whether TypeORM talks to this database through a single connection (SQLite: sql.js, better-sqlite3), so that every
 * statement of the process shares one transaction state.
 */
export function usesOneConnection(dataSource: DataSource): boolean {
  const type = dataSource.options.type;
  return type === 'sqljs' || type === 'better-sqlite3';
}

/**
 * Runs `write` alone among this library's writes when the database is SQLite (sql.js, better-sqlite3): TypeORM gives
 * it one connection per DataSource, so two interleaved transactions fail ("cannot start a transaction within a
 * transaction"), and worse, a statement issued while another transaction is open joins it and is rolled back with
 * it. The server databases give every transaction its own connection, so there `write` runs at once and their locks
 * do the work.
 */
export function exclusiveWrite<T>(dataSource: DataSource, write: () => Promise<T>): Promise<T> {
  if (!usesOneConnection(dataSource)) return write();
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const result = previous.then(write, write);
  queues.set(
    dataSource,
    result.catch(() => undefined),
  );
  return result;
}
