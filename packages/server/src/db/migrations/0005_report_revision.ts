import type { Kysely } from 'kysely';

/**
 * A per-organisation counter that every report change increments inside its transaction. Readers
 * key cached list responses by it, so any process sees a change on its very next request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').addColumn('reports_revision', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('organizations').dropColumn('reports_revision').execute();
}
