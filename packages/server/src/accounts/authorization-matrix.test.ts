/**
 * Every route the app registers × every kind of caller, with the exact status each must get.
 * The route list comes from Fastify itself (registeredRoutes), so a route added by anyone fails
 * this test until it is classified below. The classification is the table CASES; what each access
 * rule means for each caller is the table ACCESS. Read those two; the mechanics are at the end.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registeredRoutes } from '../http/auth.js';
import { sampleFields, uploadForm } from '../test/fixtures.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { createInvitation } from './invitations.js';
import { newLinkToken } from './link-tokens.js';
import { confirmTotp, createMfaChallenge, replaceRecoveryCodes, startTotpEnrolment } from './mfa-store.js';
import { storePasswordReset } from './password-resets.js';
import { newTotpSecret } from './totp.js';
import { createSession } from './sessions.js';
import { createUser } from './users.js';
import { createShare } from '../shares/shares.js';
import { ACTORS, createMatrixFixture, type Actor, type MatrixFixture, type MatrixRequest } from './authorization-matrix-fixture.js';

/** Stands for the case's own success status (200, 201, 202, 204…). */
const OK = 0;

// prettier-ignore
const ACCESS = {
  //                 anonymous member admin owner otherOrgAdmin readToken uploadToken adminToken otherOrgAdminToken
  public:             [OK,      OK,    OK,   OK,   OK,           OK,       OK,         OK,        OK],
  authenticated:      [401,     OK,    OK,   OK,   OK,           OK,       OK,         OK,        OK],
  /** About the logged-in user: tokens have no account. */
  session:            [401,     OK,    OK,   OK,   OK,           403,      403,        403,       403],
  'reports:read':     [401,     OK,    OK,   OK,   403,          OK,       OK,         OK,        403],
  'org:admin':        [401,     403,   OK,   OK,   403,          403,      403,        OK,        403],
  'org:owner':        [401,     403,   403,  OK,   403,          403,      403,        403,       403],
  /** Seed 000's read API when the organisation requires a read token: its own members and tokens only. */
  'protected read':   [401,     OK,    OK,   OK,   403,          OK,       OK,         OK,        403],
  /** A token writes into its own organisation (another organisation's token writes into its own); sessions name ?org=. */
  'token-org write':  [401,     403,   OK,   OK,   403,          403,      OK,         OK,        OK],
  /** As above; another organisation's token does not find this organisation's report. */
  'token-org delete': [401,     403,   OK,   OK,   403,          403,      403,        OK,        404],
} satisfies Record<string, number[]>;

interface Case {
  /** Why this variant exists, when a route has several. */
  note?: string;
  /** A rule of ACCESS, or a row of its own when the route's answer depends on whose resource it is. */
  access: keyof typeof ACCESS | number[];
  ok: number;
  /** Builds the request afresh for every actor (fresh resources to act on). */
  request: (f: MatrixFixture, actor: Actor) => Promise<MatrixRequest> | MatrixRequest;
  /** Login, logout and password change end the caller's session: session actors log in again after. */
  endsSession?: true;
  /** Undoes what `request` set up, after each request. */
  cleanup?: (f: MatrixFixture) => Promise<void>;
}

const random = () => crypto.randomUUID();
const org = (f: MatrixFixture) => `/api/orgs/${f.orgId}`;
const freshWebhook = async (f: MatrixFixture) => (await f.asAdmin('POST', `${org(f)}/webhooks`, { url: 'http://127.0.0.1:9/matrix' })).id as string;
/** Seed 000's read API, open by default and closed when the organisation requires a read token. */
function seedRead(path: (f: MatrixFixture) => string): Case[] {
  const requireReadToken = (f: MatrixFixture, on: boolean) => f.server.ctx.db.updateTable('organizations').set({ require_read_token: on ? 1 : 0 }).where('id', '=', f.orgId).execute();
  return [
    { note: 'open organisation: no credentials needed, and any credentials are accepted', access: 'public', ok: 200, request: (f) => ({ path: path(f) }) },
    {
      note: 'organisation requires a read token',
      access: 'protected read',
      ok: 200,
      request: async (f) => (await requireReadToken(f, true), { path: path(f) }),
      cleanup: async (f) => void (await requireReadToken(f, false)),
    },
  ];
}
/** An invitation stored directly (no route involved), so every actor gets a fresh link. */
async function freshInvitation(f: MatrixFixture, orgId = f.orgId) {
  const { invitation, token } = await createInvitation(f.server.ctx.db, { orgId, email: `invited-${f.unique()}@example.test`, role: 'member', createdBy: null, now: Date.now() });
  return { id: invitation.id, token };
}
/** A reset link of a fresh account (not an actor's: the reset ends the account's sessions). */
async function freshResetLink(f: MatrixFixture) {
  const user = await createUser(f.server.ctx.db, { email: `reset-${f.unique()}@example.test`, password: 'the old password here', now: Date.now() });
  const { token, hash } = newLinkToken();
  await storePasswordReset(f.server.ctx.db, { userId: user.id, tokenHash: hash, now: Date.now() });
  return token;
}
/** Another session of a user, made directly, for DELETE /api/auth/sessions/{id} to end (a random id for callers without an account). */
const freshSessionOf = async (f: MatrixFixture, userId: string | undefined) => (userId ? (await createSession(f.server.ctx.db, userId, Date.now())).id : random());
/** A share of the fixture's report stored directly, so every actor gets a link of its own to read or revoke. */
async function freshShare(f: MatrixFixture, orgId = f.orgId, reportId = f.reportId) {
  const now = Date.now();
  return createShare(f.server.ctx.db, { orgId, reportIds: [reportId], note: 'matrix', expiresAt: now + 3_600_000, createdBy: { userId: null, tokenId: null }, now });
}
/** A fresh account with TOTP on, half-way through a login: its mfaToken and a recovery code finish it (a TOTP code could not serve every actor in one 30-second step). */
async function freshMfaLogin(f: MatrixFixture) {
  const { db, secrets } = f.server.ctx;
  const user = await createUser(db, { email: `mfa-${f.unique()}@example.test`, password: 'the password of this one', now: Date.now() });
  await startTotpEnrolment(db, secrets, user.id, newTotpSecret(), Date.now());
  await confirmTotp(db, user.id, 1, Date.now());
  const [recoveryCode] = await replaceRecoveryCodes(db, user.id, Date.now());
  return { mfaToken: await createMfaChallenge(db, user.id, Date.now()), recoveryCode };
}
const forgetPendingTotp = async (f: MatrixFixture) => void (await f.server.ctx.db.deleteFrom('user_totp').where('confirmed_at', 'is', null).execute());
const freshConnection = async (f: MatrixFixture) => (await f.asAdmin('POST', `${org(f)}/integrations/nexus-iq`, { name: `matrix ${f.unique()}` })).id as string;

const clearSso = async (f: MatrixFixture) => void (await f.server.ctx.db.deleteFrom('org_sso').where('org_id', '=', f.orgId).execute());

/** Every route, classified. Paths under /api/orgs/{orgId}/… need org:admin unless stated. */
const CASES: Record<string, Case[]> = {
  // Operations and documentation: public by design.
  'GET /healthz': [{ access: 'public', ok: 200, request: () => ({ path: '/healthz' }) }],
  'GET /readyz': [{ access: 'public', ok: 200, request: () => ({ path: '/readyz' }) }],
  'GET /metrics': [{ access: 'public', ok: 200, request: () => ({ path: '/metrics' }) }],
  'GET /openapi.json': [{ access: 'public', ok: 200, request: () => ({ path: '/openapi.json' }) }],
  'GET /docs': [{ access: 'public', ok: 200, request: () => ({ path: '/docs' }) }],
  'GET /docs/json': [{ access: 'public', ok: 200, request: () => ({ path: '/docs/json' }) }],
  'GET /docs/yaml': [{ access: 'public', ok: 200, request: () => ({ path: '/docs/yaml' }) }],
  'GET /docs/static/index.html': [{ note: 'redirects to /docs/', access: 'public', ok: 302, request: () => ({ path: '/docs/static/index.html' }) }],
  'GET /docs/static/swagger-initializer.js': [{ access: 'public', ok: 200, request: () => ({ path: '/docs/static/swagger-initializer.js' }) }],
  'GET /docs/static/*': [{ access: 'public', ok: 200, request: () => ({ path: '/docs/static/swagger-ui.css' }) }],
  // The dashboard's pages (static files, SPA fallback): public; the data behind them is not.
  'GET /*': [{ access: 'public', ok: 200, request: () => ({ path: '/settings' }) }],

  // Reports: the seed-000 read API, uploads, deletes, single files.
  'GET /security/report/list': seedRead((f) => `/security/report/list?org=${f.orgId}&minver=0.0.0`),
  'GET /security/report/files': [
    ...seedRead((f) => `/security/report/files?org=${f.orgId}&reports=${f.reportId}`),
    { note: "another organisation's report through this organisation's path", access: 'public', ok: 204, request: (f) => ({ path: `/security/report/files?org=${f.orgId}&reports=${f.theirs.reportId}` }) },
  ],
  'POST /security/report': [
    { access: 'token-org write', ok: 201, request: (f) => ({ path: `/security/report?org=${f.orgId}`, form: uploadForm(sampleFields({ projectName: `upload ${f.unique()}` })) }) },
  ],
  'DELETE /security/report/:id': [
    { access: 'token-org delete', ok: 204, request: async (f) => ({ path: `/security/report/${await f.freshReport()}?org=${f.orgId}` }) },
    {
      note: "another organisation's report, with ?org= naming this one: invisible to this organisation; that organisation's token deletes its own",
      //       anonymous member admin owner otherOrgAdmin readToken uploadToken adminToken otherOrgAdminToken
      access: [401,      403,   404,  404,  403,          403,      403,        404,       OK],
      ok: 204,
      request: async (f) => ({ path: `/security/report/${await f.freshReport(true)}?org=${f.orgId}` }),
    },
  ],
  'GET /security/report/:id/sarif': [
    ...seedRead((f) => `/security/report/${f.reportId}/sarif?org=${f.orgId}`),
    { note: "another organisation's report through this organisation's org", access: 'public', ok: 404, request: (f) => ({ path: `/security/report/${f.theirs.reportId}/sarif?org=${f.orgId}` }) },
  ],
  // Findings across versions: members and tokens of the organisation.
  'GET /api/orgs/:orgId/findings': [{ access: 'reports:read', ok: 200, request: (f) => ({ path: `${org(f)}/findings?cwe=89` }) }],
  'GET /api/orgs/:orgId/findings/trends': [{ access: 'reports:read', ok: 200, request: (f) => ({ path: `${org(f)}/findings/trends?project=matrix` }) }],
  'GET /api/orgs/:orgId/findings/diff': [
    {
      access: 'reports:read',
      ok: 200,
      request: async (f) => {
        await f.asAdmin('POST', '/security/report', uploadForm(sampleFields({ projectName: 'matrix diff' })));
        return { path: `${org(f)}/findings/diff?project=matrix%20diff&from=1.0&to=1.0` };
      },
    },
    { note: 'a product without a report at the version', access: 'reports:read', ok: 404, request: (f) => ({ path: `${org(f)}/findings/diff?project=nothing&from=1.0&to=2.0` }) },
  ],
  'GET /api/orgs/:orgId/reports/:reportId/files/:kind': [
    { access: 'reports:read', ok: 200, request: (f) => ({ path: `${org(f)}/reports/${f.reportId}/files/pdf` }) },
    { note: "another organisation's report through this organisation's path", access: 'reports:read', ok: 404, request: (f) => ({ path: `${org(f)}/reports/${f.theirs.reportId}/files/pdf` }) },
  ],

  // Organisation settings and API tokens.
  'GET /api/orgs/:orgId': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: org(f) }) }],
  'PATCH /api/orgs/:orgId': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: org(f), json: { name: 'Test organisation' } }) }],
  // Signing keys: the public halves are for anyone; managing them is for admins.
  'GET /.well-known/jwks.json': [{ access: 'public', ok: 200, request: (f) => ({ path: `/.well-known/jwks.json?org=${f.orgId}` }) }],
  'GET /api/orgs/:orgId/signing-keys': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/signing-keys` }) }],
  'POST /api/orgs/:orgId/signing-keys/rotate': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/signing-keys/rotate`, json: {} }) }],
  'GET /api/orgs/:orgId/audit': [
    { access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/audit` }) },
    { note: 'an export', access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/audit?format=csv` }) },
  ],
  'GET /api/orgs/:orgId/tokens': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/tokens` }) }],
  'POST /api/orgs/:orgId/tokens': [{ access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/tokens`, json: { name: 'matrix', scopes: ['read'] } }) }],
  'DELETE /api/orgs/:orgId/tokens/:tokenId': [
    { access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/tokens/${await f.freshTokenId()}` }) },
    { note: "another organisation's token through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/tokens/${f.theirs.tokenId}` }) },
  ],

  // Accounts: login, session, password; the caller's organisations; members and roles.
  'POST /api/auth/login': [{ access: 'public', ok: 200, endsSession: true, request: (f) => ({ path: '/api/auth/login', json: { email: f.loginProbe.email, password: f.loginProbe.password } }) }],
  'POST /api/auth/logout': [{ access: 'public', ok: 204, endsSession: true, request: () => ({ path: '/api/auth/logout' }) }],
  'GET /api/auth/me': [{ access: 'session', ok: 200, request: () => ({ path: '/api/auth/me' }) }],
  'POST /api/auth/password': [
    {
      access: 'session',
      ok: 204,
      endsSession: true,
      request: (_f, actor) => ({ path: '/api/auth/password', json: { currentPassword: actor.user?.password ?? 'no password here', newPassword: actor.user?.password ?? 'twelve chars or more' } }),
    },
  ],
  'DELETE /api/auth/me': [
    {
      note: 'a wrong password, so no actor is deleted: sessions reach the password check (403 invalid_credentials), tokens are refused before it',
      access: 'session',
      ok: 403,
      request: () => ({ path: '/api/auth/me', json: { password: 'not the password of anyone' } }),
    },
  ],
  'GET /api/auth/sessions': [{ access: 'session', ok: 200, request: () => ({ path: '/api/auth/sessions' }) }],
  'DELETE /api/auth/sessions/:sessionId': [
    { note: 'another own session', access: 'session', ok: 204, request: async (f, actor) => ({ path: `/api/auth/sessions/${await freshSessionOf(f, actor.user?.id)}` }) },
    { note: "someone else's session is not found, never forbidden", access: 'session', ok: 404, request: async (f) => ({ path: `/api/auth/sessions/${await freshSessionOf(f, f.loginProbe.id)}` }) },
  ],
  'POST /api/auth/password-reset': [{ note: 'always 202, whoever asks', access: 'public', ok: 202, request: (f) => ({ path: '/api/auth/password-reset', json: { email: `reset-${f.unique()}@example.test` } }) }],
  'POST /api/auth/password-reset/:token': [
    { note: 'the link is the credential', access: 'public', ok: 204, request: async (f) => ({ path: `/api/auth/password-reset/${await freshResetLink(f)}`, json: { newPassword: 'a new password of mine' } }) },
  ],
  // The TOTP second factor: the caller's own; the policy is the organisation administrators'.
  'POST /api/auth/mfa/totp': [{ access: 'session', ok: 200, request: () => ({ path: '/api/auth/mfa/totp' }), cleanup: forgetPendingTotp }],
  'POST /api/auth/mfa/totp/confirm': [
    { note: 'nothing pending: sessions reach the enrolment check (409 totp_not_pending), tokens are refused before it', access: 'session', ok: 409, request: () => ({ path: '/api/auth/mfa/totp/confirm', json: { code: '123456' } }) },
  ],
  'DELETE /api/auth/mfa/totp': [
    { note: 'TOTP is off: sessions reach the check (409 totp_not_enabled), tokens are refused before it', access: 'session', ok: 409, request: () => ({ path: '/api/auth/mfa/totp', json: { code: '123456' } }) },
  ],
  'POST /api/auth/login/mfa': [
    { note: 'the mfaToken is the credential', access: 'public', ok: 200, endsSession: true, request: async (f) => ({ path: '/api/auth/login/mfa', json: await freshMfaLogin(f) }) },
  ],
  'GET /api/orgs/:orgId/mfa-policy': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/mfa-policy` }) }],
  'PUT /api/orgs/:orgId/mfa-policy': [{ note: 'turning it off needs no second factor of the caller', access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/mfa-policy`, json: { requireMfa: false } }) }],
  // Single sign-on. This server has no provider configured (oidc-routes.test.ts runs one): the SSO routes say so to everyone.
  'GET /api/auth/config': [{ access: 'public', ok: 200, request: () => ({ path: '/api/auth/config' }) }],
  'GET /api/auth/oidc/login': [{ note: 'no provider configured: 404 sso_not_configured for everyone', access: 'public', ok: 404, request: () => ({ path: '/api/auth/oidc/login' }) }],
  'GET /api/auth/oidc/callback': [{ note: 'no provider configured: 404 sso_not_configured for everyone', access: 'public', ok: 404, request: () => ({ path: '/api/auth/oidc/callback?state=s&code=c' }) }],
  'GET /api/orgs/:orgId/sso': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/sso` }) }],
  'PUT /api/orgs/:orgId/sso': [
    { note: 'map a group to member', access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/sso`, json: { groupRoles: { matrix: 'member' } } }), cleanup: clearSso },
    { note: 'map a group to owner', access: 'org:owner', ok: 200, request: (f) => ({ path: `${org(f)}/sso`, json: { groupRoles: { matrix: 'owner' } } }), cleanup: clearSso },
  ],
  'GET /api/orgs': [{ access: 'authenticated', ok: 200, request: () => ({ path: '/api/orgs' }) }],
  'GET /api/orgs/:orgId/members': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/members` }) }],
  'POST /api/orgs/:orgId/members': [
    { note: 'add a member', access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/members`, json: { email: `new-${f.unique()}@example.test`, role: 'member' } }) },
    { note: 'add an administrator', access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/members`, json: { email: `new-${f.unique()}@example.test`, role: 'admin' } }) },
    { note: 'add an owner', access: 'org:owner', ok: 201, request: (f) => ({ path: `${org(f)}/members`, json: { email: `new-${f.unique()}@example.test`, role: 'owner' } }) },
  ],
  'GET /api/orgs/:orgId/invitations': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/invitations` }) }],
  'POST /api/orgs/:orgId/invitations': [
    { note: 'invite a member', access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/invitations`, json: { email: `invited-${f.unique()}@example.test`, role: 'member' } }) },
    { note: 'invite an owner', access: 'org:owner', ok: 201, request: (f) => ({ path: `${org(f)}/invitations`, json: { email: `invited-${f.unique()}@example.test`, role: 'owner' } }) },
  ],
  'DELETE /api/orgs/:orgId/invitations/:invitationId': [
    { access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/invitations/${(await freshInvitation(f)).id}` }) },
    {
      note: "another organisation's invitation through this organisation's path",
      access: 'org:admin',
      ok: 404,
      request: async (f) => ({ path: `${org(f)}/invitations/${(await freshInvitation(f, f.otherOrgId)).id}` }),
    },
  ],
  'GET /api/invitations/:token': [{ note: 'the link is the credential', access: 'public', ok: 200, request: async (f) => ({ path: `/api/invitations/${(await freshInvitation(f)).token}` }) }],
  'POST /api/invitations/:token/accept': [
    {
      note: 'the link is the credential; a session of another email is refused (409 wrong_account), tokens are no session',
      //       anonymous member admin owner otherOrgAdmin readToken uploadToken adminToken otherOrgAdminToken
      access: [OK,       409,   409,  409,  409,          OK,       OK,         OK,        OK],
      ok: 200,
      request: async (f) => ({ path: `/api/invitations/${(await freshInvitation(f)).token}/accept`, json: { password: 'a password of my own' } }),
    },
  ],
  'PATCH /api/orgs/:orgId/members/:userId': [
    { note: 'member → admin', access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('member')}`, json: { role: 'admin' } }) },
    { note: 'admin → member', access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('admin')}`, json: { role: 'member' } }) },
    { note: 'admin → owner', access: 'org:owner', ok: 200, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('admin')}`, json: { role: 'owner' } }) },
    { note: 'owner → admin', access: 'org:owner', ok: 200, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('owner')}`, json: { role: 'admin' } }) },
    { note: "another organisation's member through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/members/${f.theirs.memberId}`, json: { role: 'member' } }) },
  ],
  'DELETE /api/orgs/:orgId/members/:userId': [
    { note: 'remove a member', access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('member')}` }) },
    { note: 'remove an administrator', access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('admin')}` }) },
    { note: 'remove an owner', access: 'org:owner', ok: 204, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('owner')}` }) },
    { note: "another organisation's member through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/members/${f.theirs.memberId}` }) },
  ],
  'DELETE /api/orgs/:orgId/members/:userId/sessions': [
    { note: "a member's", access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('member')}/sessions` }) },
    { note: "an administrator's", access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('admin')}/sessions` }) },
    { note: "an owner's", access: 'org:owner', ok: 204, request: async (f) => ({ path: `${org(f)}/members/${await f.freshMember('owner')}/sessions` }) },
    { note: "another organisation's member through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/members/${f.theirs.memberId}/sessions` }) },
  ],

  // Share links: administrators hand reports out; the link itself is the credential of the public side.
  'POST /api/orgs/:orgId/shares': [
    { access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/shares`, json: { reports: [f.reportId], expiresAt: new Date(Date.now() + 3_600_000).toISOString() } }) },
    {
      note: "another organisation's report: past the permission check, refused as unknown",
      access: 'org:admin',
      ok: 400,
      request: (f) => ({ path: `${org(f)}/shares`, json: { reports: [f.theirs.reportId], expiresAt: new Date(Date.now() + 3_600_000).toISOString() } }),
    },
  ],
  'GET /api/orgs/:orgId/shares': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/shares` }) }],
  'DELETE /api/orgs/:orgId/shares/:shareId': [
    { access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/shares/${(await freshShare(f)).id}` }) },
    {
      note: "another organisation's share through this organisation's path",
      access: 'org:admin',
      ok: 404,
      request: async (f) => ({ path: `${org(f)}/shares/${(await freshShare(f, f.otherOrgId, f.theirs.reportId)).id}` }),
    },
  ],
  'GET /api/shares/:token': [{ note: 'the link is the credential', access: 'public', ok: 200, request: async (f) => ({ path: `/api/shares/${(await freshShare(f)).token}` }) }],
  'GET /api/shares/:token/files': [{ note: 'the link is the credential', access: 'public', ok: 200, request: async (f) => ({ path: `/api/shares/${(await freshShare(f)).token}/files` }) }],
  'GET /api/shares/:token/reports/:reportId/files/:kind': [
    { note: 'the link is the credential', access: 'public', ok: 200, request: async (f) => ({ path: `/api/shares/${(await freshShare(f)).token}/reports/${f.reportId}/files/pdf` }) },
  ],

  // Webhooks and their delivery log: administrators.
  'POST /api/orgs/:orgId/webhooks': [{ access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/webhooks`, json: { url: 'http://127.0.0.1:9/matrix' } }) }],
  'GET /api/orgs/:orgId/webhooks': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/webhooks` }) }],
  'GET /api/orgs/:orgId/webhooks/:id': [
    { access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}` }) },
    { note: "another organisation's webhook through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/webhooks/${f.theirs.webhookId}` }) },
  ],
  'PATCH /api/orgs/:orgId/webhooks/:id': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}`, json: { description: 'matrix' } }) }],
  'POST /api/orgs/:orgId/webhooks/:id/enable': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/enable` }) }],
  'POST /api/orgs/:orgId/webhooks/:id/disable': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/disable` }) }],
  'DELETE /api/orgs/:orgId/webhooks/:id': [
    { access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}` }) },
    { note: "another organisation's webhook through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/webhooks/${f.theirs.webhookId}` }) },
  ],
  'GET /api/orgs/:orgId/webhooks/:id/secret': [
    { access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/secret` }) },
    { note: "another organisation's webhook through this organisation's path", access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/webhooks/${f.theirs.webhookId}/secret` }) },
  ],
  'POST /api/orgs/:orgId/webhooks/:id/secret/rotate': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/secret/rotate`, json: {} }) }],
  'POST /api/orgs/:orgId/webhooks/:id/ping': [{ access: 'org:admin', ok: 202, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/ping` }) }],
  'GET /api/orgs/:orgId/webhooks/:id/deliveries': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/deliveries` }) }],
  'POST /api/orgs/:orgId/webhooks/:id/deliveries/redeliver': [
    { access: 'org:admin', ok: 202, request: async (f) => ({ path: `${org(f)}/webhooks/${await freshWebhook(f)}/deliveries/redeliver`, json: { since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' } }) },
  ],
  'GET /api/orgs/:orgId/deliveries/:id': [
    { access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/deliveries/${(await f.asAdmin('POST', `${org(f)}/webhooks/${await freshWebhook(f)}/ping`)).deliveryId}` }) },
  ],
  'POST /api/orgs/:orgId/deliveries/:id/redeliver': [
    { note: 'an unknown delivery: the caller gets past the permission check only to find nothing', access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/deliveries/${random()}/redeliver` }) },
  ],

  // Integrations: connections are administrators' business; evaluations are report data.
  'GET /api/orgs/:orgId/integrations/:kind': [{ access: 'org:admin', ok: 200, request: (f) => ({ path: `${org(f)}/integrations/nexus-iq` }) }],
  'POST /api/orgs/:orgId/integrations/:kind': [{ access: 'org:admin', ok: 201, request: (f) => ({ path: `${org(f)}/integrations/nexus-iq`, json: { name: `matrix ${f.unique()}` } }) }],
  'GET /api/orgs/:orgId/integrations/:kind/:id': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/integrations/nexus-iq/${await freshConnection(f)}` }) }],
  'PATCH /api/orgs/:orgId/integrations/:kind/:id': [{ access: 'org:admin', ok: 200, request: async (f) => ({ path: `${org(f)}/integrations/nexus-iq/${await freshConnection(f)}`, json: { name: 'renamed' } }) }],
  'DELETE /api/orgs/:orgId/integrations/:kind/:id': [{ access: 'org:admin', ok: 204, request: async (f) => ({ path: `${org(f)}/integrations/nexus-iq/${await freshConnection(f)}` }) }],
  'GET /api/orgs/:orgId/integrations/nexus-iq/evaluations': [{ access: 'reports:read', ok: 200, request: (f) => ({ path: `${org(f)}/integrations/nexus-iq/evaluations` }) }],
  'POST /api/orgs/:orgId/integrations/sonarqube/:id/import': [
    { note: 'an unknown connection: past the permission check, nothing found', access: 'org:admin', ok: 404, request: (f) => ({ path: `${org(f)}/integrations/sonarqube/${random()}/import`, json: { projectKey: 'matrix' } }) },
  ],
  'POST /security/report/sonarqube': [
    {
      note: 'SonarQube does not answer at the named URL: past the permission check, the import fails upstream',
      access: 'token-org write',
      ok: 502,
      request: (f) => ({ path: `/security/report/sonarqube?org=${f.orgId}`, json: { sonarUrl: 'http://127.0.0.1:9', sonarToken: 'matrix', projectKey: 'matrix' } }),
    },
  ],
  // Inbound webhooks authenticate by the connection's HMAC secret, not by caller: an unknown connection is a 404 for all.
  'POST /integrations/sonarqube/:connectionId/webhook': [{ access: 'public', ok: 404, request: () => ({ path: `/integrations/sonarqube/${random()}/webhook`, json: {} }) }],
  'POST /integrations/nexus-iq/:connectionId/webhook': [{ access: 'public', ok: 404, request: () => ({ path: `/integrations/nexus-iq/${random()}/webhook`, json: {} }) }],
};

// ---- mechanics -------------------------------------------------------------------------------

/** HEAD answers like GET (Fastify derives it), OPTIONS is not routed: the matrix covers their GETs. */
const routeKeys = (server: TestServer) =>
  [...new Set(registeredRoutes(server.app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS').map((r) => `${r.method} ${r.url}`))];

async function send(f: MatrixFixture, method: string, request: MatrixRequest, actor: Actor): Promise<number> {
  const write = method !== 'GET';
  const headers = await actor.headers(write);
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${f.server.url}${request.path}`, {
    method,
    headers,
    body: request.form ?? (request.json === undefined ? null : JSON.stringify(request.json)),
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status;
}

for (const dialect of testDialects) {
  describe(`authorization matrix (${dialect})`, () => {
    let server: TestServer;
    let fixture: MatrixFixture;
    before(async () => {
      server = await startTestServer(dialect);
      fixture = await createMatrixFixture(server);
    });
    after(() => server.stop());

    it('classifies every registered route', () => {
      const registered = routeKeys(server);
      assert.deepEqual(registered.filter((key) => !CASES[key]), [], 'routes without a row in CASES: classify them');
      // Rows for routes not (or no longer) registered are only reported: features land one by one.
      const unused = Object.keys(CASES).filter((key) => !registered.includes(key));
      if (unused.length > 0) console.log(`# rows in CASES for routes this build does not register: ${unused.join(', ')}`);
    });

    it('answers every route × caller with the exact status of its access rule', async () => {
      const mismatches: string[] = [];
      let checked = 0;
      for (const key of routeKeys(server)) {
        const method = key.slice(0, key.indexOf(' '));
        for (const testCase of CASES[key] ?? []) {
          for (const [i, actor] of fixture.actors.entries()) {
            const rule = (typeof testCase.access === 'string' ? ACCESS[testCase.access] : testCase.access)[i]!;
            const expected = rule === OK ? testCase.ok : rule;
            const status = await send(fixture, method, await testCase.request(fixture, actor), actor);
            if (testCase.endsSession) actor.forgetSession();
            await testCase.cleanup?.(fixture);
            checked += 1;
            if (status !== expected) mismatches.push(`${key}${testCase.note ? ` (${testCase.note})` : ''} as ${ACTORS[i]}: expected ${expected}, got ${status}`);
          }
        }
      }
      console.log(`# authorization matrix ${dialect}: ${checked} requests`);
      assert.deepEqual(mismatches, []);
    });
  });
}
