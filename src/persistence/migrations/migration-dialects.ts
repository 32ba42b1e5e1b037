/** How each database spells the column types of nestjs-ecpay's migrations. */
import type { QueryRunner, TableColumnOptions } from 'typeorm';

/** The SQL families this migration knows. */
export type Dialect = 'postgres' | 'mysql' | 'sqlite';

export function dialectOf(queryRunner: QueryRunner): Dialect {
  const type = queryRunner.connection.driver.options.type;
  switch (type) {
    case 'postgres':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
      return 'mysql';
    case 'sqljs':
    case 'better-sqlite3':
      return 'sqlite';
    default:
      throw new Error(
        `nestjs-ecpay's migrations support PostgreSQL, MariaDB/MySQL and SQLite (sqljs, better-sqlite3), not "${type}".`,
      );
  }
}

/** The per-dialect pieces of the schema. */
export interface DialectColumns {
  /** Integer columns. SQLite keeps the declared type name verbatim, and TypeORM compares it with `integer`. */
  integer: string;
  /** A nullable timestamp of the given fractional-second precision (the entities' `type: Date`). */
  timestamp(precision: number): Pick<TableColumnOptions, 'type' | 'precision'>;
  /** `created_at` / `updated_at`: what TypeORM's `@CreateDateColumn` / `@UpdateDateColumn` map to per driver. */
  createdAt: Pick<TableColumnOptions, 'type' | 'precision' | 'default'>;
  updatedAt: Pick<TableColumnOptions, 'type' | 'precision' | 'default' | 'onUpdate'>;
  /** The SQL default of a boolean column that defaults to false. */
  falseDefault: string;
}

/**
 * Everything else (names, lengths, nullability, indexes) is the same on every database. Written out here, not
 * read from the entities, so the migrations stay fixed snapshots when the entities change later (a change to them
 * needs a new migration). Shared by every migration: it may only grow, never change what an entry maps to.
 */
export const DIALECTS: Record<Dialect, DialectColumns> = {
  postgres: {
    integer: 'integer',
    // TypeORM maps the entities' `type: Date` to `timestamp without time zone` on PostgreSQL (see EcpayTrade).
    timestamp: (precision) => ({ type: 'timestamp', precision }),
    createdAt: { type: 'timestamp', default: 'now()' },
    updatedAt: { type: 'timestamp', default: 'now()' },
    falseDefault: 'false',
  },
  mysql: {
    integer: 'int',
    timestamp: (precision) => ({ type: 'datetime', precision }),
    createdAt: { type: 'datetime', precision: 6, default: 'CURRENT_TIMESTAMP(6)' },
    updatedAt: { type: 'datetime', precision: 6, default: 'CURRENT_TIMESTAMP(6)', onUpdate: 'CURRENT_TIMESTAMP(6)' },
    falseDefault: '0',
  },
  sqlite: {
    integer: 'integer',
    timestamp: (precision) => ({ type: 'datetime', precision }),
    createdAt: { type: 'datetime', default: "datetime('now')" },
    updatedAt: { type: 'datetime', default: "datetime('now')" },
    falseDefault: '0',
  },
};

export const varchar = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: false,
  ...extra,
});
export const nullableVarchar = (name: string, length: number) => varchar(name, length, { isNullable: true });
export const quoted = (text: string) => `'${text}'`;
