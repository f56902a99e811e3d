import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import './sso-tables.js';

/** Time a person has at the provider (login, consent, perhaps a second factor) before the sign-in must start over. */
export const OIDC_LOGIN_TTL_MS = 10 * 60 * 1000;

export interface PendingOidcLogin {
  codeVerifier: string;
  nonce: string;
}

const hashState = (state: string) => crypto.createHash('sha256').update(state, 'utf8').digest('hex');

/** Remembers a sign-in under way; expired ones are cleared on the way, so the table stays small. */
export async function storeOidcLogin(db: Kysely<Database>, state: string, login: PendingOidcLogin, now: number): Promise<void> {
  await db.deleteFrom('oidc_logins').where('expires_at', '<=', now).execute();
  await db
    .insertInto('oidc_logins')
    .values({ state_hash: hashState(state), code_verifier: login.codeVerifier, nonce: login.nonce, created_at: now, expires_at: now + OIDC_LOGIN_TTL_MS })
    .execute();
}

/**
 * Takes a sign-in out of the table: whoever deletes the row owns it, so a callback that is replayed
 * (or raced) finds nothing. Undefined for an unknown, used or expired state.
 */
export async function takeOidcLogin(db: Kysely<Database>, state: string, now: number): Promise<PendingOidcLogin | undefined> {
  const stateHash = hashState(state);
  const row = await db.selectFrom('oidc_logins').select(['code_verifier', 'nonce', 'expires_at']).where('state_hash', '=', stateHash).executeTakeFirst();
  if (!row) return undefined;
  const deleted = await db.deleteFrom('oidc_logins').where('state_hash', '=', stateHash).executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1 || now >= Number(row.expires_at)) return undefined;
  return { codeVerifier: row.code_verifier, nonce: row.nonce };
}
