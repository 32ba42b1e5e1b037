/** A unique index, named for PostgreSQL and MariaDB/MySQL errors, by table and columns for SQLite's. */
export interface UniqueIndex {
  readonly index: string;
  readonly table: string;
  readonly columns: readonly string[];
}

/**
 * Whether a failed query broke this unique index — and not some other constraint, whose error the caller passes on
 * untouched. TypeORM wraps the driver's error in a QueryFailedError that carries the driver's fields and keeps the
 * original in `driverError`.
 */
export function isUniqueViolation(error: unknown, unique: UniqueIndex): boolean {
  if (!(error instanceof Error)) return false;
  const driverError = (error as { driverError?: unknown }).driverError;
  const e = (driverError instanceof Error ? driverError : error) as Error & {
    code?: unknown;
    errno?: unknown;
    constraint?: unknown;
    sqlMessage?: unknown;
  };
  // PostgreSQL: unique_violation, with the violated index's name.
  if (e.code === '23505') return e.constraint === unique.index;
  // MariaDB/MySQL: ER_DUP_ENTRY, "Duplicate entry '…' for key '[table.]index'".
  if (e.code === 'ER_DUP_ENTRY' || e.errno === 1062) {
    return new RegExp(`for key '(?:[^']*\\.)?${unique.index}'`).test(String(e.sqlMessage ?? e.message));
  }
  // SQLite (sql.js, better-sqlite3): "UNIQUE constraint failed: table.column, table.column".
  const sqlite = /UNIQUE constraint failed: (.+)$/m.exec(e.message);
  if (sqlite) {
    const columns = sqlite[1]!.split(',').map((column) => column.trim());
    return (
      columns.length === unique.columns.length &&
      unique.columns.every((column) => columns.includes(`${unique.table}.${column}`))
    );
  }
  return false;
}
