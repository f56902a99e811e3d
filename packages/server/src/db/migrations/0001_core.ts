import type { Kysely } from 'kysely';
import { binaryType, byteOrderedText } from '../dialect-sql.js';

export async function up(db: Kysely<any>): Promise<void> {
  const ordered = byteOrderedText(db);

  await db.schema
    .createTable('organizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('require_read_token', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_tokens_org').on('api_tokens').column('org_id').execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('project_name', 'text', (c) => ordered(c.notNull()))
    .addColumn('project_version', 'text', (c) => c.notNull())
    .addColumn('version_key', 'text', (c) => ordered(c.notNull()))
    .addColumn('report_type', 'text', (c) => ordered(c.notNull()))
    .addColumn('report_version', 'integer', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('date_ms', 'bigint', (c) => c.notNull())
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .addColumn('vulnerabilities_count', 'integer', (c) => c.notNull())
    .addColumn('security_rating', 'text', (c) => c.notNull())
    .execute();
  // A report's identity; versions compare by precedence, so "1.0" and "1.0.0" are one report.
  await db.schema
    .createIndex('reports_identity')
    .on('reports')
    .columns(['org_id', 'project_name', 'version_key', 'report_type', 'report_version'])
    .unique()
    .execute();
  // version / minver / maxver are range scans on this index.
  await db.schema.createIndex('reports_org_version').on('reports').columns(['org_id', 'version_key']).execute();
  await db.schema.createIndex('reports_org_uploaded').on('reports').columns(['org_id', 'uploaded_at']).execute();

  await db.schema
    .createTable('report_files')
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_files_pk', ['report_id', 'kind'])
    .execute();
  await db.schema.createIndex('report_files_blob').on('report_files').column('blob_key').execute();

  // Used only by the PostgreSQL blob store; harmless and empty elsewhere.
  await db.schema
    .createTable('blobs')
    .addColumn('blob_key', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('blob_chunks')
    .addColumn('blob_key', 'text', (c) => c.notNull().references('blobs.blob_key').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', binaryType(db), (c) => c.notNull())
    .addPrimaryKeyConstraint('blob_chunks_pk', ['blob_key', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['blob_chunks', 'blobs', 'report_files', 'reports', 'api_tokens', 'organizations']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
