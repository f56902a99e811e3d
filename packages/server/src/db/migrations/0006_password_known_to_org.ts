import type { Kysely } from 'kysely';

/**
 * Which organisation's administrators know an account's password (they created the account with
 * it). Null once the user chose their own password. Another organisation may not add such an
 * account: its administrators would share a password they did not choose with the first org.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('password_known_to_org', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('password_known_to_org').execute();
}
