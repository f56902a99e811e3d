import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Principal, Scope } from './principal.js';

const TOKEN_PREFIX = 'arkiv_';
/** Writing last_used_at on every request would turn reads into writes; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const hashToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

export async function createApiToken(
  db: Kysely<Database>,
  input: { orgId: string; name: string; scopes: Scope[]; createdBy?: string | null; now?: number },
): Promise<{ id: string; token: string }> {
  const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  const id = crypto.randomUUID();
  await db
    .insertInto('api_tokens')
    .values({
      id,
      org_id: input.orgId,
      name: input.name,
      scopes: [...new Set(input.scopes)].join(' '),
      token_hash: hashToken(token),
      token_prefix: token.slice(0, TOKEN_PREFIX.length + 6),
      created_by: input.createdBy ?? null,
      created_at: input.now ?? Date.now(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { id, token };
}

/**
 * Resolves a presented token. The lookup is by SHA-256 of the token, so the comparison an attacker
 * could time is on a hash they cannot steer, and the database never holds a usable token.
 */
export async function authenticateToken(db: Kysely<Database>, token: string, now = Date.now()): Promise<Principal | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'org_id', 'scopes', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  if (row.last_used_at === null || now - row.last_used_at > LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { kind: 'token', id: row.id, orgId: row.org_id, scopes: new Set(row.scopes.split(' ') as Scope[]) };
}

export async function listApiTokens(db: Kysely<Database>, orgId: string): Promise<ApiTokenInfo[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').execute();
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scopes: r.scopes.split(' ') as Scope[],
    prefix: r.token_prefix,
    createdAt: new Date(r.created_at).toISOString(),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  }));
}

export async function revokeApiToken(db: Kysely<Database>, orgId: string, tokenId: string, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', tokenId)
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Tokens act with the authority of the administrator who made them: when that person leaves the
 * organisation or becomes a plain member, their tokens go too. Returns how many were revoked.
 */
export async function revokeTokensCreatedBy(db: Kysely<Database>, orgId: string, userId: string, now = Date.now()): Promise<number> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('created_by', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
