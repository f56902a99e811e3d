import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Text columns we sort or range-scan on compare byte-wise on both engines: SQLite's default BINARY
 * collation does, PostgreSQL needs COLLATE "C" (its default collation depends on the server locale).
 */
export function byteOrderedText(db: Kysely<any>) {
  return (col: ColumnDefinitionBuilder) => (isPostgres(db) ? col.modifyFront(sql`collate "C"`) : col);
}

/** Binary column type: bytea on PostgreSQL, blob on SQLite. */
export function binaryType(db: Kysely<any>) {
  return isPostgres(db) ? ('bytea' as const) : ('blob' as const);
}
