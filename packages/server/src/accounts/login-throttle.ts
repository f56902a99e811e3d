import { clientAddressKey } from '../http/client-address.js';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import './account-tables.js';

/**
 * Password guessing is throttled per account and per client address, in the database so every
 * replica counts together. LIMIT failures within WINDOW_MS lock the key for LOCK_MS; while locked,
 * even the right password is refused (checked before any hashing, so a locked key costs no scrypt).
 * Unknown addresses count like known ones: the answers never tell which accounts exist.
 */
export const THROTTLE = {
  account: { limit: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { limit: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
} as const;

export type ThrottleKind = keyof typeof THROTTLE;
export interface ThrottleKey {
  kind: ThrottleKind;
  key: string;
}

export const accountKey = (normalizedEmail: string): ThrottleKey => ({ kind: 'account', key: `account:${normalizedEmail}` });
export const addressKey = (ip: string): ThrottleKey => ({ kind: 'address', key: `address:${clientAddressKey(ip)}` });

export const tooManyAttempts = (retryAfterMs: number) => {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(429, 'too_many_attempts', `Too many failed logins; try again in ${seconds} seconds`, { headers: { 'retry-after': String(seconds) } });
};

/** Milliseconds until the latest lock among `keys` ends, or 0 when none is locked. */
export async function lockedFor(db: Kysely<Database>, keys: ThrottleKey[], now: number): Promise<number> {
  const rows = await db
    .selectFrom('login_throttle')
    .select('locked_until')
    .where('key', 'in', keys.map((k) => k.key))
    .where('locked_until', '>', now)
    .execute();
  return rows.reduce((longest, r) => Math.max(longest, (r.locked_until ?? 0) - now), 0);
}

/**
 * Counts one failure. The increment is one upsert, so concurrent guesses cannot overwrite each
 * other's counts; the lock starts a fresh window so the next LIMIT failures lock again.
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
  if (failures >= policy.limit) {
    await db.updateTable('login_throttle').set({ locked_until: now + policy.lockMs, failures: 0, window_started_at: now }).where('key', '=', key).execute();
  }
}

/** A successful login forgets the account's failures (never the address's: one good account must not launder guesses). */
export async function clearFailures(db: Kysely<Database>, key: ThrottleKey): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key.key).execute();
}

/** Housekeeping: counts whose window and lock have both passed decide nothing. Called at login. */
export async function forgetStaleFailures(db: Kysely<Database>, now: number): Promise<void> {
  const longest = Math.max(...Object.values(THROTTLE).map((p) => Math.max(p.windowMs, p.lockMs)));
  await db
    .deleteFrom('login_throttle')
    .where('window_started_at', '<', now - longest)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .execute();
}
