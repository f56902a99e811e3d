import { sql, type Kysely } from 'kysely';

/**
 * Ed25519 signing keys per organisation (signed archives). A partial unique index keeps at most one
 * current key (not_after null) per organisation, so two processes creating the first key at once, or
 * two rotations racing, can never leave two keys that both sign.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('not_after', 'bigint')
    .execute();
  await db.schema.createIndex('org_signing_keys_org').on('org_signing_keys').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('org_signing_keys_current').unique().on('org_signing_keys').column('org_id').where(sql.ref('not_after'), 'is', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('org_signing_keys').execute();
}
