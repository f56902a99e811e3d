import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import './account-tables.js';
import { hashLinkToken, isPlausibleLinkToken } from './link-tokens.js';

/** How long a password-reset link works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/** Stores a reset link's hash for the user; the link works for PASSWORD_RESET_TTL_MS. */
export async function storePasswordReset(db: Kysely<Database>, input: { userId: string; tokenHash: string; now: number }): Promise<void> {
  await db
    .insertInto('password_resets')
    .values({ token_hash: input.tokenHash, user_id: input.userId, created_at: input.now, expires_at: input.now + PASSWORD_RESET_TTL_MS, used_at: null })
    .execute();
}

export async function findPasswordReset(db: Kysely<Database>, token: string) {
  if (!isPlausibleLinkToken(token)) return undefined;
  const row = await db.selectFrom('password_resets').select(['user_id', 'expires_at', 'used_at']).where('token_hash', '=', hashLinkToken(token)).executeTakeFirst();
  return row && { userId: row.user_id, expiresAt: Number(row.expires_at), usedAt: row.used_at === null ? null : Number(row.used_at) };
}

/** Marks the link used unless it was already (or has expired); whether this caller won it. */
export async function claimPasswordReset(db: Kysely<Database>, token: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', hashLinkToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** After a reset, the user's other links are useless; expired rows of everyone are housekeeping. */
export async function forgetPasswordResets(db: Kysely<Database>, userId: string, now: number): Promise<void> {
  await db.deleteFrom('password_resets').where((eb) => eb.or([eb('user_id', '=', userId), eb('expires_at', '<=', now)])).execute();
}
