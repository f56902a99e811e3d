import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import '../accounts/account-tables.js';
import { hashLinkToken, isPlausibleLinkToken, newLinkToken } from '../accounts/link-tokens.js';
import './share-tables.js';

/** Who created a share: a person (session) or an API token, named as the organisation knows them. */
export interface ShareCreator {
  kind: 'user' | 'token';
  id: string;
  /** The user's email or the token's name. */
  name: string;
}

export interface Share {
  id: string;
  orgId: string;
  note: string;
  /** The shared reports that still exist, in the order they were shared. */
  reportIds: string[];
  createdBy: ShareCreator | null;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  accessCount: number;
  downloadCount: number;
  lastAccessAt: number | null;
}

/** What a link resolves to before it is used: enough to answer 404/410 and find the reports. */
export interface SharedLink {
  id: string;
  orgId: string;
  orgName: string;
  expiresAt: number;
  revokedAt: number | null;
}

/**
 * Stores a share of reports the caller has checked belong to the organisation; the returned token
 * goes into the link and is never stored.
 */
export async function createShare(
  db: Kysely<Database>,
  input: { orgId: string; reportIds: readonly string[]; note: string; expiresAt: number; createdBy: { userId: string | null; tokenId: string | null }; now: number },
): Promise<{ id: string; token: string }> {
  const { token, hash } = newLinkToken();
  const id = crypto.randomUUID();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('shares')
      .values({
        id,
        token_hash: hash,
        org_id: input.orgId,
        note: input.note,
        created_by_user: input.createdBy.userId,
        created_by_token: input.createdBy.tokenId,
        created_at: input.now,
        expires_at: input.expiresAt,
        revoked_at: null,
        access_count: 0,
        download_count: 0,
        last_access_at: null,
      })
      .execute();
    await trx
      .insertInto('share_reports')
      .values(input.reportIds.map((reportId, position) => ({ share_id: id, report_id: reportId, position })))
      .execute();
  });
  return { id, token };
}

/** The error of an insert naming a row that does not exist (a report deleted meanwhile), on either engine. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY constraint failed/.test(e?.message ?? '');
}

/** Every share of the organisation, newest first, revoked and expired ones included. */
export async function listShares(db: Kysely<Database>, orgId: string): Promise<Share[]> {
  const rows = await db
    .selectFrom('shares')
    .leftJoin('users', 'users.id', 'shares.created_by_user')
    .leftJoin('api_tokens', 'api_tokens.id', 'shares.created_by_token')
    .select([
      'shares.id',
      'shares.org_id',
      'shares.note',
      'shares.created_by_user',
      'shares.created_by_token',
      'shares.created_at',
      'shares.expires_at',
      'shares.revoked_at',
      'shares.access_count',
      'shares.download_count',
      'shares.last_access_at',
      'users.email',
      'api_tokens.name as token_name',
    ])
    .where('shares.org_id', '=', orgId)
    .orderBy('shares.created_at', 'desc')
    .orderBy('shares.id')
    .execute();
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('share_reports')
    .innerJoin('shares', 'shares.id', 'share_reports.share_id')
    .select(['share_reports.share_id', 'share_reports.report_id'])
    .where('shares.org_id', '=', orgId)
    .orderBy('share_reports.share_id')
    .orderBy('share_reports.position')
    .execute();
  const reportsOf = new Map<string, string[]>();
  for (const link of links) reportsOf.set(link.share_id, [...(reportsOf.get(link.share_id) ?? []), link.report_id]);
  return rows.map((r) => ({
    id: r.id,
    orgId: r.org_id,
    note: r.note,
    reportIds: reportsOf.get(r.id) ?? [],
    createdBy:
      r.created_by_user !== null && r.email !== null
        ? { kind: 'user', id: r.created_by_user, name: r.email }
        : r.created_by_token !== null && r.token_name !== null
          ? { kind: 'token', id: r.created_by_token, name: r.token_name }
          : null,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    accessCount: Number(r.access_count),
    downloadCount: Number(r.download_count),
    lastAccessAt: r.last_access_at === null ? null : Number(r.last_access_at),
  }));
}

/**
 * Revokes a share of this organisation: its link answers 410 from now on. Revoking twice keeps the
 * first time. Returns false when the organisation has no share by that id.
 */
export async function revokeShare(db: Kysely<Database>, orgId: string, id: string, now: number): Promise<boolean> {
  const updated = await db.updateTable('shares').set({ revoked_at: now }).where('org_id', '=', orgId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return true;
  const existing = await db.selectFrom('shares').select('id').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return existing !== undefined;
}

/**
 * The share a link names, or undefined. The row is found by the token's SHA-256, then the stored
 * hash is compared again in constant time, so no step of the answer depends on how much of a
 * guessed token was right.
 */
export async function findShareByToken(db: Kysely<Database>, token: string): Promise<SharedLink | undefined> {
  if (!isPlausibleLinkToken(token)) return undefined;
  const hash = hashLinkToken(token);
  const row = await db
    .selectFrom('shares')
    .innerJoin('organizations', 'organizations.id', 'shares.org_id')
    .select(['shares.id', 'shares.token_hash', 'shares.org_id', 'shares.expires_at', 'shares.revoked_at', 'organizations.name'])
    .where('shares.token_hash', '=', hash)
    .executeTakeFirst();
  if (!row || !crypto.timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  return { id: row.id, orgId: row.org_id, orgName: row.name, expiresAt: Number(row.expires_at), revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) };
}

/**
 * Counts one access through a link that is still valid, in one statement: two concurrent accesses
 * both count, and a link revoked or expired a moment ago counts nothing. Returns whether it counted
 * (false: the link stopped working since it was looked up).
 */
export async function recordShareAccess(db: Kysely<Database>, id: string, input: { download: boolean; now: number }): Promise<boolean> {
  const result = await db
    .updateTable('shares')
    .set((eb) => ({
      access_count: eb('access_count', '+', 1),
      download_count: input.download ? eb('download_count', '+', 1) : eb.ref('download_count'),
      last_access_at: input.now,
    }))
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', input.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The ids of a share's reports that still exist, in the order they were shared. */
export async function sharedReportIds(db: Kysely<Database>, shareId: string): Promise<string[]> {
  const rows = await db.selectFrom('share_reports').select('report_id').where('share_id', '=', shareId).orderBy('position').execute();
  return rows.map((r) => r.report_id);
}
