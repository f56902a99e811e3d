/**
 * The world the authorization matrix runs in: an organisation with one user per role, another
 * organisation with its own administrator, tokens of every scope, and helpers that make a fresh
 * resource for each request so that one actor's DELETE never decides the next actor's answer.
 */
import crypto from 'node:crypto';
import type { TestServer } from '../test/test-server.js';
import { sampleFields, uploadForm } from '../test/fixtures.js';
import { addUser, login, type LoggedIn, type TestUser } from './account-test-helpers.js';
import { hashPassword } from './passwords.js';
import type { Role } from './principal.js';

export const ACTORS = ['anonymous', 'member', 'admin', 'owner', 'otherOrgAdmin', 'readToken', 'uploadToken', 'adminToken', 'otherOrgAdminToken'] as const;
export type ActorName = (typeof ACTORS)[number];

export interface Actor {
  name: ActorName;
  /** Set for session actors: their account (e.g. to re-enter their password). */
  user?: TestUser;
  headers(write: boolean): Promise<Record<string, string>>;
  /** The case ended or replaced the session: log in again before the next request. */
  forgetSession(): void;
}

export interface MatrixRequest {
  path: string;
  json?: unknown;
  form?: FormData;
}

export interface MatrixFixture {
  server: TestServer;
  orgId: string;
  otherOrgId: string;
  /** A report of the own organisation, with html and pdf files. */
  reportId: string;
  /** Resources of the other organisation, to name through this organisation's paths (must be 404). */
  theirs: { reportId: string; tokenId: string; memberId: string; webhookId: string };
  /** A user in no organisation, whom the login case logs in. */
  loginProbe: TestUser;
  actors: Actor[];
  unique(): string;
  /** Calls the API as the own organisation's admin token; throws unless the status is 2xx. */
  asAdmin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  /** A new report of the own organisation (or, with `theirs`, of the other one). */
  freshReport(theirs?: boolean): Promise<string>;
  freshTokenId(): Promise<string>;
  freshMember(role: Role): Promise<string>;
}

let sequence = 0;

/** Resources of features that may not be registered in this build (webhooks): a placeholder id then. */
const optional = (make: () => Promise<string>) => make().catch(() => crypto.randomUUID());

export async function createMatrixFixture(server: TestServer): Promise<MatrixFixture> {
  const other = await server.addOrganization('Other organisation');
  const unique = () => `${Date.now().toString(36)}-${++sequence}`;

  const callAs = (token: string) => async (method: string, path: string, body?: unknown) => {
    const isForm = body instanceof FormData;
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined || isForm ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : isForm ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`fixture ${method} ${path} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const asAdmin = callAs(server.tokens.admin);
  const asOtherAdmin = callAs(other.adminToken);
  const freshReport = async (theirs = false) =>
    (await (theirs ? asOtherAdmin : asAdmin)('POST', '/security/report', uploadForm(sampleFields({ projectName: `matrix ${unique()}` })))).id as string;

  // Users made straight in the database share one hash: the matrix needs many, scrypt is slow on purpose.
  const sharedHash = await hashPassword('matrix shared password');
  const freshMember = async (role: Role) => {
    const id = crypto.randomUUID();
    const now = server.ctx.now();
    await server.ctx.db.insertInto('users').values({ id, email: `fresh-${unique()}@example.test`, password_hash: sharedHash, created_at: now, password_changed_at: now }).execute();
    await server.ctx.db.insertInto('memberships').values({ org_id: server.orgId, user_id: id, role, created_at: now }).execute();
    return id;
  };

  const tokens: Record<string, string> = {
    readToken: server.tokens.read,
    uploadToken: server.tokens.upload,
    adminToken: server.tokens.admin,
    otherOrgAdminToken: other.adminToken,
  };
  const users: Record<string, TestUser> = {
    member: await addUser(server, 'member'),
    admin: await addUser(server, 'admin'),
    owner: await addUser(server, 'owner'),
    otherOrgAdmin: await addUser(server, 'admin', other.orgId),
  };

  const actors = ACTORS.map((name): Actor => {
    if (name === 'anonymous') return { name, headers: async () => ({}), forgetSession: () => {} };
    const token = tokens[name];
    if (token) return { name, headers: async () => ({ authorization: `Bearer ${token}` }), forgetSession: () => {} };
    const user = users[name]!;
    let session: Promise<LoggedIn> | undefined;
    return {
      name,
      user,
      headers: async (write) => (await (session ??= login(server, user))).headers(write),
      forgetSession: () => {
        session = undefined;
      },
    };
  });

  return {
    server,
    orgId: server.orgId,
    otherOrgId: other.orgId,
    reportId: await freshReport(),
    theirs: {
      reportId: (await asOtherAdmin('POST', '/security/report', uploadForm(sampleFields({ projectName: 'theirs' })))).id,
      tokenId: (await asOtherAdmin('POST', `/api/orgs/${other.orgId}/tokens`, { name: 'theirs', scopes: ['read'] })).id,
      memberId: users.otherOrgAdmin!.id,
      webhookId: await optional(() => asOtherAdmin('POST', `/api/orgs/${other.orgId}/webhooks`, { url: 'http://127.0.0.1:9/theirs' }).then((w) => w.id)),
    },
    loginProbe: await addUser(server, null),
    actors,
    unique,
    asAdmin,
    freshReport,
    freshTokenId: async () => (await asAdmin('POST', `/api/orgs/${server.orgId}/tokens`, { name: `matrix ${unique()}`, scopes: ['read'] })).id,
    freshMember,
  };
}
