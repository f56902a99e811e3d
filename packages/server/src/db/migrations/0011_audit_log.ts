import type { Kysely } from 'kysely';

/**
 * The audit log: one hash chain per organisation (see audit/audit-chain.ts). `audit_heads` holds
 * each chain's last seq, time and hash; appending locks that row, so concurrent writers (several
 * processes on PostgreSQL) queue instead of forking the chain, and the primary key (org_id, seq)
 * refuses a fork should anything get past the lock. No foreign key to organizations: the log must
 * outlive what it records, and an `ON DELETE CASCADE` would be a way to erase it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('address', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_pk', ['org_id', 'seq'])
    .execute();
  // Pages read newest first by seq within one organisation: the primary key serves the first
  // screen, these serve the action and actor filters, and (org, at) turns a time range into a
  // seq range (times never decrease along a chain).
  await db.schema.createIndex('audit_log_org_action').on('audit_log').columns(['org_id', 'action', 'seq']).execute();
  await db.schema.createIndex('audit_log_org_actor').on('audit_log').columns(['org_id', 'actor_kind', 'actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_log_org_at').on('audit_log').columns(['org_id', 'at', 'seq']).execute();
  await db.schema
    .createTable('audit_heads')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_heads').execute();
  await db.schema.dropTable('audit_log').execute();
}
