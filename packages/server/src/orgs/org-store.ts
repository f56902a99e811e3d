import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface Organization {
  id: string;
  name: string;
  requireReadToken: boolean;
  createdAt: string;
}

function toOrganization(row: Omit<Database['organizations'], 'reports_revision' | 'require_mfa'>): Organization {
  return { id: row.id, name: row.name, requireReadToken: row.require_read_token === 1, createdAt: new Date(row.created_at).toISOString() };
}

export async function createOrganization(db: Kysely<Database>, input: { name: string; id?: string; now?: number }): Promise<Organization> {
  const row = { id: input.id ?? crypto.randomUUID(), name: input.name, require_read_token: 0, created_at: input.now ?? Date.now() };
  await db.insertInto('organizations').values(row).execute();
  return toOrganization(row);
}

export async function findOrganization(db: Kysely<Database>, id: string): Promise<Organization | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOrganization(row);
}

/** What the read API needs on every request: whether reads need a token, and the list cache key. */
export async function findReadAccess(db: Kysely<Database>, id: string): Promise<{ requireReadToken: boolean; reportsRevision: number } | undefined> {
  const row = await db.selectFrom('organizations').select(['require_read_token', 'reports_revision']).where('id', '=', id).executeTakeFirst();
  return row && { requireReadToken: row.require_read_token === 1, reportsRevision: Number(row.reports_revision) };
}

export async function listOrganizations(db: Kysely<Database>, ids?: string[]): Promise<Organization[]> {
  let query = db.selectFrom('organizations').selectAll().orderBy('name').orderBy('id');
  if (ids) {
    if (ids.length === 0) return [];
    query = query.where('id', 'in', ids);
  }
  return (await query.execute()).map(toOrganization);
}

export async function updateOrganization(
  db: Kysely<Database>,
  id: string,
  patch: { name?: string; requireReadToken?: boolean },
): Promise<Organization | undefined> {
  const values: { name?: string; require_read_token?: number } = {};
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.requireReadToken !== undefined) values.require_read_token = patch.requireReadToken ? 1 : 0;
  if (Object.keys(values).length > 0) await db.updateTable('organizations').set(values).where('id', '=', id).execute();
  return findOrganization(db, id);
}
