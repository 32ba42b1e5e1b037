import type { DataSource } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `write` alone among this library's writes when the database is sql.js. sql.js is one in-process connection:
 * two interleaved transactions fail ("cannot start a transaction within a transaction"), and worse, a statement
 * issued while another transaction is open joins it and is rolled back with it. The server databases give every
 * transaction its own connection, so there `write` runs at once and their locks do the work.
 */
export function exclusiveWrite<T>(dataSource: DataSource, write: () => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'sqljs') return write();
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const result = previous.then(write, write);
  queues.set(dataSource, result.catch(() => undefined));
  return result;
}
