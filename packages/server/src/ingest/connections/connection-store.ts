import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { SecretBox } from '../../secrets.js';
import type { IntegrationConnectionsTable, IntegrationKind } from '../integration-tables.js';
import '../integration-tables.js';

/** A connection as its owners and the importer see it: secrets opened, JSON parsed. */
export interface Connection {
  id: string;
  orgId: string;
  kind: IntegrationKind;
  name: string;
  /** Inbound webhook secret: SonarQube's and Nexus IQ's "secret" field. */
  secret: string;
  /** SonarQube only. */
  serverUrl: string | null;
  /** SonarQube only: a user token with Browse permission on the projects. Never sent to clients. */
  token: string | null;
  /** SonarQube only: project key → Arkiv projectName. */
  projects: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectionInput {
  name: string;
  serverUrl?: string | null;
  token?: string | null;
  projects?: Record<string, string>;
}

/** 32 random bytes, hex: long enough for HMAC-SHA256 and typeable into both products' forms. */
export const generateWebhookSecret = (): string => crypto.randomBytes(32).toString('hex');

function toConnection(row: IntegrationConnectionsTable, secrets: SecretBox): Connection {
  return {
    id: row.id,
    orgId: row.org_id,
    kind: row.kind,
    name: row.name,
    secret: secrets.open(row.secret_sealed),
    serverUrl: row.server_url,
    token: row.token_sealed === null ? null : secrets.open(row.token_sealed),
    projects: JSON.parse(row.project_map) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function createConnection(db: Kysely<Database>, secrets: SecretBox, input: ConnectionInput & { orgId: string; kind: IntegrationKind; now: number }): Promise<Connection> {
  const row: IntegrationConnectionsTable = {
    id: crypto.randomUUID(),
    org_id: input.orgId,
    kind: input.kind,
    name: input.name,
    secret_sealed: secrets.seal(generateWebhookSecret()),
    server_url: input.serverUrl ?? null,
    token_sealed: input.token ? secrets.seal(input.token) : null,
    project_map: JSON.stringify(input.projects ?? {}),
    created_at: input.now,
    updated_at: input.now,
  };
  await db.insertInto('integration_connections').values(row).execute();
  return toConnection(row, secrets);
}

/** Any connection by id (inbound webhooks know only the id); undefined when absent. */
export async function findConnection(db: Kysely<Database>, secrets: SecretBox, id: string, scope?: { orgId: string; kind: IntegrationKind }): Promise<Connection | undefined> {
  let query = db.selectFrom('integration_connections').selectAll().where('id', '=', id);
  if (scope) query = query.where('org_id', '=', scope.orgId).where('kind', '=', scope.kind);
  const row = await query.executeTakeFirst();
  return row && toConnection(row, secrets);
}

export async function listConnections(db: Kysely<Database>, secrets: SecretBox, orgId: string, kind: IntegrationKind): Promise<Connection[]> {
  const rows = await db.selectFrom('integration_connections').selectAll().where('org_id', '=', orgId).where('kind', '=', kind).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => toConnection(row, secrets));
}

/** Changes only the fields given; `rotateSecret` issues a new webhook secret (the old one stops working at once). */
export async function updateConnection(
  db: Kysely<Database>,
  secrets: SecretBox,
  scope: { id: string; orgId: string; kind: IntegrationKind },
  changes: Partial<ConnectionInput> & { rotateSecret?: boolean; now: number },
): Promise<Connection | undefined> {
  const set: Partial<IntegrationConnectionsTable> = { updated_at: changes.now };
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.serverUrl !== undefined) set.server_url = changes.serverUrl;
  if (changes.token !== undefined) set.token_sealed = changes.token ? secrets.seal(changes.token) : null;
  if (changes.projects !== undefined) set.project_map = JSON.stringify(changes.projects);
  if (changes.rotateSecret) set.secret_sealed = secrets.seal(generateWebhookSecret());
  await db.updateTable('integration_connections').set(set).where('id', '=', scope.id).where('org_id', '=', scope.orgId).where('kind', '=', scope.kind).execute();
  return findConnection(db, secrets, scope.id, scope);
}

export async function deleteConnection(db: Kysely<Database>, scope: { id: string; orgId: string; kind: IntegrationKind }): Promise<boolean> {
  const result = await db.deleteFrom('integration_connections').where('id', '=', scope.id).where('org_id', '=', scope.orgId).where('kind', '=', scope.kind).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
