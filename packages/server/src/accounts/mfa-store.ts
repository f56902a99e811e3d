import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { SecretBox } from '../secrets.js';
import { hashLinkToken, isPlausibleLinkToken, newLinkToken } from './link-tokens.js';
import './mfa-tables.js';

/** How long a password login waits for its second factor. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const RECOVERY_CODE_COUNT = 10;

export interface TotpState {
  secret: string;
  confirmed: boolean;
}

/** The user's TOTP secret (opened) and whether enrolment was confirmed; undefined when none was started. */
export async function findTotp(db: Kysely<Database>, box: Pick<SecretBox, 'open'>, userId: string): Promise<TotpState | undefined> {
  const row = await db.selectFrom('user_totp').select(['secret_sealed', 'confirmed_at']).where('user_id', '=', userId).executeTakeFirst();
  return row && { secret: box.open(row.secret_sealed), confirmed: row.confirmed_at !== null };
}

export async function hasTotp(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db.selectFrom('user_totp').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
  return row !== undefined;
}

/** Starts (or restarts) an enrolment with a new secret; a confirmed TOTP is left alone (false). */
export async function startTotpEnrolment(db: Kysely<Database>, box: Pick<SecretBox, 'seal'>, userId: string, secret: string, now: number): Promise<boolean> {
  const result = await db
    .insertInto('user_totp')
    .values({ user_id: userId, secret_sealed: box.seal(secret), created_at: now, confirmed_at: null, last_used_step: null })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet((eb) => ({ secret_sealed: eb.ref('excluded.secret_sealed'), created_at: now })).where('user_totp.confirmed_at', 'is', null),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Turns TOTP on with the step of the code that proved the app has the secret; false when nothing was pending. */
export async function confirmTotp(db: Kysely<Database>, userId: string, step: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('user_totp')
    .set({ confirmed_at: now, last_used_step: step })
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Records that a code of `step` was used. One conditional update, so of two requests racing with
 * the same code only one wins, and a code of an older step than the last accepted one never does.
 */
export async function claimTotpStep(db: Kysely<Database>, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('user_totp')
    .set({ last_used_step: step })
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Turns TOTP off: the secret, the recovery codes and any waiting login challenge go. Whether it was on. */
export async function removeTotp(db: Kysely<Database>, userId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.deleteFrom('user_totp').where('user_id', '=', userId).executeTakeFirst();
    await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await trx.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
    return Number(result.numDeletedRows) > 0;
  });
}

/** Recovery codes: 80 random bits as four groups of four base32 letters, e.g. `k7q2-mx9d-…`. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bytes = crypto.randomBytes(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let text = '';
  for (let i = 0; i < 16; i++) text += alphabet[Number((bits >> BigInt(75 - 5 * i)) & 31n)];
  return text.match(/.{4}/g)!.join('-');
}

/** Hyphens, spaces and case do not matter when a code is typed back. */
const hashRecoveryCode = (code: string) => crypto.createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase(), 'utf8').digest('hex');

/** Replaces the user's recovery codes with RECOVERY_CODE_COUNT new ones, returned this once. */
export async function replaceRecoveryCodes(db: Kysely<Database>, userId: string, now: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await trx
      .insertInto('mfa_recovery_codes')
      .values(codes.map((code) => ({ code_hash: hashRecoveryCode(code), user_id: userId, created_at: now, used_at: null })))
      .execute();
  });
  return codes;
}

/** Uses up one recovery code of this user; false when it is not theirs or was used already. */
export async function claimRecoveryCode(db: Kysely<Database>, userId: string, code: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function unusedRecoveryCodes(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A password login that now needs the second factor; the token (256 bits) is returned, its hash stored. */
export async function createMfaChallenge(db: Kysely<Database>, userId: string, now: number): Promise<string> {
  const { token, hash } = newLinkToken();
  // Housekeeping: expired challenges of everyone decide nothing.
  await db.deleteFrom('mfa_challenges').where('expires_at', '<=', now).execute();
  await db.insertInto('mfa_challenges').values({ token_hash: hash, user_id: userId, created_at: now, expires_at: now + MFA_CHALLENGE_TTL_MS }).execute();
  return token;
}

/** The user a live challenge belongs to, or undefined (unknown, used or expired). */
export async function findMfaChallenge(db: Kysely<Database>, token: string, now: number): Promise<string | undefined> {
  if (!isPlausibleLinkToken(token)) return undefined;
  const row = await db
    .selectFrom('mfa_challenges')
    .select('user_id')
    .where('token_hash', '=', hashLinkToken(token))
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.user_id;
}

/** Uses the challenge up; false when another request already did. */
export async function claimMfaChallenge(db: Kysely<Database>, token: string): Promise<boolean> {
  const result = await db.deleteFrom('mfa_challenges').where('token_hash', '=', hashLinkToken(token)).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}
