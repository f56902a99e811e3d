import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import './account-tables.js';
import { hashLinkToken, isPlausibleLinkToken, newLinkToken } from './link-tokens.js';
import type { Role } from './principal.js';
import { normalizeEmail } from './users.js';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface Invitation {
  id: string;
  orgId: string;
  email: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
  acceptedAt: number | null;
}

const columns = ['id', 'org_id', 'email', 'role', 'created_at', 'expires_at', 'accepted_at'] as const;
const toInvitation = (r: { id: string; org_id: string; email: string; role: Role; created_at: number; expires_at: number; accepted_at: number | null }): Invitation => ({
  id: r.id,
  orgId: r.org_id,
  email: r.email,
  role: r.role,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  acceptedAt: r.accepted_at === null ? null : Number(r.accepted_at),
});

/** Stores an invitation; the returned token goes into the link and is never stored. */
export async function createInvitation(
  db: Kysely<Database>,
  input: { orgId: string; email: string; role: Role; createdBy: string | null; now: number },
): Promise<{ invitation: Invitation; token: string }> {
  const { token, hash } = newLinkToken();
  const row = {
    id: crypto.randomUUID(),
    token_hash: hash,
    org_id: input.orgId,
    email: normalizeEmail(input.email),
    role: input.role,
    created_by: input.createdBy,
    created_at: input.now,
    expires_at: input.now + INVITATION_TTL_MS,
    accepted_at: null,
  };
  await db.insertInto('invitations').values(row).execute();
  return { invitation: toInvitation(row), token };
}

/** Invitations not yet accepted (expired ones included, so an administrator sees why a link failed). */
export async function listPendingInvitations(db: Kysely<Database>, orgId: string): Promise<Invitation[]> {
  const rows = await db.selectFrom('invitations').select(columns).where('org_id', '=', orgId).where('accepted_at', 'is', null).orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map(toInvitation);
}

/** Deletes an invitation of this organisation; false when it has none by that id. */
export async function revokeInvitation(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('invitations').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The invitation a link names, with its organisation's name, or undefined. */
export async function findInvitationByToken(db: Kysely<Database>, token: string): Promise<(Invitation & { orgName: string }) | undefined> {
  if (!isPlausibleLinkToken(token)) return undefined;
  const row = await db
    .selectFrom('invitations')
    .innerJoin('organizations', 'organizations.id', 'invitations.org_id')
    .select(['invitations.id', 'invitations.org_id', 'invitations.email', 'invitations.role', 'invitations.created_at', 'invitations.expires_at', 'invitations.accepted_at', 'organizations.name'])
    .where('invitations.token_hash', '=', hashLinkToken(token))
    .executeTakeFirst();
  return row && { ...toInvitation(row), orgName: row.name };
}

/** Marks the invitation used; one caller wins when two accept at once. Returns whether this one did. */
export async function claimInvitation(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const result = await db.updateTable('invitations').set({ accepted_at: now }).where('id', '=', id).where('accepted_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a claimed invitation back when accepting it failed after the claim (e.g. a too-short password). */
export async function unclaimInvitation(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('invitations').set({ accepted_at: null }).where('id', '=', id).execute();
}
