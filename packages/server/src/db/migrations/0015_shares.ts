import type { Kysely } from 'kysely';

/**
 * Share links: a revocable, expiring link to exactly the reports an auditor or customer needs.
 * The token is stored only as its SHA-256 (hex). share_reports cascades from both sides, so a
 * report deleted after sharing simply leaves the share.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_by_user', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_by_token', 'text', (c) => c.references('api_tokens.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('access_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('download_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_access_at', 'bigint')
    .execute();
  await db.schema.createIndex('shares_org').on('shares').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('share_reports')
    .addColumn('share_id', 'text', (c) => c.notNull().references('shares.id').onDelete('cascade'))
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('share_reports_pk', ['share_id', 'report_id'])
    .execute();
  // Deleting a report looks up its share rows by report_id (the cascade).
  await db.schema.createIndex('share_reports_report').on('share_reports').column('report_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('share_reports').execute();
  await db.schema.dropTable('shares').execute();
}
