import { clientAddressKey } from '../http/client-address.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import './account-tables.js';

/**
 * Password guessing is throttled in the database, so every replica counts together, on three keys:
 *
 * - `pair` (one email from one client address): LIMIT failures within WINDOW_MS lock that pair for
 *   LOCK_MS, the right password included. Only the pair: a stranger who fails five times for
 *   `admin@localhost` locks himself out, never the owner, who signs in from another address.
 * - `address` (one client address, any email): a password spray is locked the same way.
 * - `account` (one email, every address): the softer limit for guessing spread over many
 *   addresses. Past FREE failures each failure doubles a delay (1 s, 2 s, … up to MAX_DELAY_MS)
 *   during which addresses that have themselves failed for this email are refused. An address
 *   with no failure for it is never delayed: the owner's own address still gets in.
 *
 * - `mfa` (one user's second factor, every address): wrong TOTP or recovery codes lock that
 *   user's second factor for LOCK_MS. Only someone who has the password gets to guess codes, and
 *   spreading the guesses over many addresses must not multiply them.
 *
 * Locks are checked before any hashing, so a refused attempt costs no scrypt. Unknown emails count
 * like known ones: the answers never tell which accounts exist.
 */
export const THROTTLE = {
  pair: { limit: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { limit: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  account: { free: 10, windowMs: 15 * 60_000, firstDelayMs: 1000, maxDelayMs: 60_000 },
  mfa: { limit: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
} as const;

export type ThrottleKind = keyof typeof THROTTLE;
export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}

export const accountKey = (normalizedEmail: string): ThrottleKey => ({ kind: 'account', key: `account:${normalizedEmail}` });
export const addressKey = (ip: string): ThrottleKey => ({ kind: 'address', key: `address:${clientAddressKey(ip)}` });
export const mfaKey = (userId: string): ThrottleKey => ({ kind: 'mfa', key: `mfa:${userId}` });
export const pairKey = (normalizedEmail: string, ip: string): ThrottleKey => ({ kind: 'pair', key: `pair:${clientAddressKey(ip)} ${normalizedEmail}` });

/** The keys one login attempt is counted under. */
export const loginKeys = (normalizedEmail: string, ip: string) => ({
  pair: pairKey(normalizedEmail, ip),
  address: addressKey(ip),
  account: accountKey(normalizedEmail),
});

export const tooManyAttempts = (retryAfterMs: number) => {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(429, 'too_many_attempts', `Too many failed logins; try again in ${seconds} seconds`, { headers: { 'retry-after': String(seconds) } });
};

/** Milliseconds this attempt must wait, or 0 when it may be checked now. */
export async function waitFor(db: Kysely<Database>, keys: ReturnType<typeof loginKeys>, now: number): Promise<number> {
  const rows = await db
    .selectFrom('login_throttle')
    .select(['key', 'locked_until', 'window_started_at'])
    .where('key', 'in', [keys.pair.key, keys.address.key, keys.account.key])
    .execute();
  const row = (key: ThrottleKey) => rows.find((r) => r.key === key.key);
  const remaining = (key: ThrottleKey) => Math.max(0, (row(key)?.locked_until ?? 0) - now);
  // "Has failed for this email" means a pair count still inside its window (or a pair lock).
  const pair = row(keys.pair);
  const pairHasFailed = pair !== undefined && (pair.window_started_at > now - THROTTLE.pair.windowMs || remaining(keys.pair) > 0);
  return Math.max(remaining(keys.pair), remaining(keys.address), pairHasFailed ? remaining(keys.account) : 0);
}

/** Milliseconds until every lock on these keys has passed (0: none holds); for routes throttled by address alone. */
export async function lockedFor(db: Kysely<Database>, keys: ThrottleKey[], now: number): Promise<number> {
  const rows = await db.selectFrom('login_throttle').select('locked_until').where('key', 'in', keys.map((k) => k.key)).execute();
  return Math.max(0, ...rows.map((r) => (r.locked_until ?? 0) - now));
}

/**
 * Counts one failure. The increment is one upsert, so concurrent guesses cannot overwrite each
 * other's counts. A hard limit (pair, address) locks and starts a fresh window so the next LIMIT
 * failures lock again; the account's delay grows with its count and is never a lock.
 */
export async function recordFailure(db: Kysely<Database>, { kind, key }: ThrottleKey, now: number): Promise<void> {
  const policy = THROTTLE[kind];
  const windowStart = now - policy.windowMs;
  const { failures } = await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: now, locked_until: null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when login_throttle.window_started_at <= ${windowStart} then 1 else login_throttle.failures + 1 end`,
        window_started_at: sql<number>`case when login_throttle.window_started_at <= ${windowStart} then ${now} else login_throttle.window_started_at end`,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  if (kind === 'account') {
    const account = THROTTLE.account;
    if (failures > account.free) {
      const delay = Math.min(account.maxDelayMs, account.firstDelayMs * 2 ** Math.min(30, failures - account.free - 1));
      await db.updateTable('login_throttle').set({ locked_until: now + delay }).where('key', '=', key).execute();
    }
    return;
  }
  const hard = THROTTLE[kind];
  if (failures >= hard.limit) {
    await db.updateTable('login_throttle').set({ locked_until: now + hard.lockMs, failures: 0, window_started_at: now }).where('key', '=', key).execute();
  }
}

/** Forgets the counts under `keys` (a successful login forgets its pair and account, never the address). */
export async function clearFailures(db: Kysely<Database>, ...keys: ThrottleKey[]): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', keys.map((k) => k.key)).execute();
}

/** `arkiv user unlock`: forgets every count and lock of one email, from every address. Resolves how many were removed. */
export async function unlockEmail(db: Kysely<Database>, normalizedEmail: string): Promise<number> {
  // Pair keys end with the email; matched here rather than with LIKE, whose wildcards an email may hold.
  const pairs = await db.selectFrom('login_throttle').select('key').where('key', 'like', 'pair:%').execute();
  const keys = [accountKey(normalizedEmail).key, ...pairs.map((r) => r.key).filter((k) => k.endsWith(` ${normalizedEmail}`))];
  const result = await db.deleteFrom('login_throttle').where('key', 'in', keys).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Housekeeping: counts whose window and lock have both passed decide nothing. Called at login. */
export async function forgetStaleFailures(db: Kysely<Database>, now: number): Promise<void> {
  const longest = Math.max(...Object.values(THROTTLE).map((p) => Math.max(p.windowMs, 'lockMs' in p ? p.lockMs : p.maxDelayMs)));
  await db
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', now - longest)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .execute();
}
