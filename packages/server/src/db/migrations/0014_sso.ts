import { sql, type Kysely } from 'kysely';

/**
 * Single sign-on (OpenID Connect). `org_sso`: an organisation's map from the provider's groups to
 * its roles, and whether its members must sign in through SSO. `oidc_logins`: sign-ins under way,
 * between the redirect to the provider and its answer; keyed by the SHA-256 of the `state` (the
 * browser holds the state itself in a cookie), each row used once and short-lived.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_sso')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    // JSON object {"<group>": "owner" | "admin" | "member"}, checked by the route that writes it.
    .addColumn('group_roles', 'text', (c) => c.notNull())
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0).check(sql`required in (0, 1)`))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oidc_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_logins_expires').on('oidc_logins').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_logins').execute();
  await db.schema.dropTable('org_sso').execute();
}
