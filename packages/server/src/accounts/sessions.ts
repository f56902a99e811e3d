import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import './account-tables.js';
import './mfa-tables.js';

/**
 * A session ends after IDLE_TIMEOUT_MS without a request, and in any case ABSOLUTE_LIFETIME_MS after
 * login: a stolen cookie is not useful forever, however busy its thief keeps it.
 */
export const IDLE_TIMEOUT_MS = 8 * 60 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** Writing last_seen_at on every request would turn reads into writes; once a minute is enough. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface ActiveSession {
  id: string;
  userId: string;
  email: string;
  csrfToken: string;
}

const hashSessionToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/** Where a session signed in from, as shown in its owner's session list. */
export interface SessionClient {
  address: string | null;
  userAgent: string | null;
}

/** A session as its owner sees it: `id` is the row id, never the cookie or its hash. */
export interface SessionSummary {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  address: string | null;
  userAgent: string | null;
}

/** Starts a session; the returned token goes into the cookie and is never stored. */
export async function createSession(
  db: Kysely<Database>,
  userId: string,
  now: number,
  client: SessionClient = { address: null, userAgent: null },
): Promise<{ token: string; csrfToken: string; id: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(32).toString('base64url');
  const id = crypto.randomUUID();
  await db
    .insertInto('sessions')
    .values({
      id,
      token_hash: hashSessionToken(token),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: now + ABSOLUTE_LIFETIME_MS,
      address: client.address,
      user_agent: client.userAgent,
    })
    .execute();
  return { token, csrfToken, id };
}

/** The live session a cookie names, or null; an expired one is deleted on sight. */
export async function resolveSession(db: Kysely<Database>, token: string, now: number): Promise<ActiveSession | null> {
  if (token.length < 20 || token.length > 200) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.user_id', 'sessions.csrf_token', 'sessions.last_seen_at', 'sessions.expires_at', 'users.email'])
    .where('sessions.token_hash', '=', hashSessionToken(token))
    .executeTakeFirst();
  if (!row) return null;
  if (now >= row.expires_at || now - row.last_seen_at >= IDLE_TIMEOUT_MS) {
    await db.deleteFrom('sessions').where('id', '=', row.id).execute();
    return null;
  }
  if (now - row.last_seen_at > LAST_SEEN_RESOLUTION_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
  }
  return { id: row.id, userId: row.user_id, email: row.email, csrfToken: row.csrf_token };
}

export async function deleteSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** The user's live sessions, newest first (expired ones are left to deleteExpiredSessions). */
export async function listUserSessions(db: Kysely<Database>, userId: string, now: number): Promise<SessionSummary[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_seen_at', 'address', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', now - IDLE_TIMEOUT_MS)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at), address: r.address, userAgent: r.user_agent }));
}

/** Ends one session of this user; false when the user has no session with that id (someone else's included). */
export async function deleteUserSession(db: Kysely<Database>, userId: string, sessionId: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('id', '=', sessionId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Ends every session of a user except `keep` (the one that changed the password), and the logins
 * still waiting for their second factor: each is half a session, proven by a password that may
 * be the very one being replaced.
 */
export async function revokeUserSessions(db: Kysely<Database>, userId: string, keep?: string): Promise<number> {
  await db.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep) query = query.where('id', '<>', keep);
  return Number((await query.executeTakeFirst()).numDeletedRows);
}

/** Housekeeping: expired sessions are useless rows. Called opportunistically at login. */
export async function deleteExpiredSessions(db: Kysely<Database>, now: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - IDLE_TIMEOUT_MS)]))
    .execute();
}
