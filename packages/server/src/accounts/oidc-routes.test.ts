import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { authorizeAtProvider, CookieJar, startOidcProvider, type TestAccount, type TestOidcProvider } from '../test/oidc-provider.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, postLogin, type LoggedIn } from './account-test-helpers.js';
import { createInvitation } from './invitations.js';
import { membershipsOf } from './memberships.js';
import { SSO_REQUESTS_PER_MINUTE } from './oidc-routes.js';
import { findUserByEmail } from './users.js';

let accounts = 0;
/** A new person at the provider; email verified and in no group unless the test says otherwise. */
function newAccount(op: TestOidcProvider, overrides: Partial<TestAccount> = {}): TestAccount {
  accounts += 1;
  const account: TestAccount = { id: `person-${accounts}-${crypto.randomUUID().slice(0, 8)}`, password: `pw-${accounts}`, email: `sso-${accounts}-${crypto.randomUUID().slice(0, 8)}@example.test`, emailVerified: true, groups: [], ...overrides };
  op.setAccount(account);
  return account;
}

for (const dialect of testDialects) {
  describe(`single sign-on with OpenID Connect (${dialect})`, () => {
    let op: TestOidcProvider;
    let server: TestServer;
    let owner: LoggedIn;
    before(async () => {
      op = await startOidcProvider();
      server = await startTestServer(dialect, op.arkivEnv);
      op.registerRedirectUri(`${server.url}/api/auth/oidc/callback`);
      const ownerUser = await addUser(server, 'owner');
      owner = await login(server, ownerUser);
    });
    after(async () => {
      await server?.stop();
      await op?.stop();
    });

    /** Arkiv's redirect to the provider, with the browser's cookies in `jar`. */
    async function startLogin(jar: CookieJar): Promise<string> {
      const response = await jar.fetch(`${server.url}/api/auth/oidc/login`);
      assert.equal(response.status, 303);
      return response.headers.get('location')!;
    }

    /** The whole sign-in: Arkiv → provider (login, consent) → Arkiv's callback; returns the callback's answer. */
    async function signIn(account: TestAccount, jar = new CookieJar()): Promise<{ response: Response; jar: CookieJar; callbackUrl: string }> {
      const callbackUrl = await authorizeAtProvider(jar, await startLogin(jar), account);
      const response = await jar.fetch(callbackUrl);
      return { response, jar, callbackUrl };
    }

    const me = (jar: CookieJar) => jar.fetch(`${server.url}/api/auth/me`);
    const putSso = (orgId: string, body: unknown, session = owner) =>
      fetch(`${server.url}/api/orgs/${orgId}/sso`, { method: 'PUT', headers: { ...session.headers(true), 'content-type': 'application/json' }, body: JSON.stringify(body) });

    it('tells the dashboard that SSO is configured', async () => {
      const config = await json(await fetch(`${server.url}/api/auth/config`));
      assert.deepEqual(config, { sso: { enabled: true, loginUrl: '/api/auth/oidc/login' } });
    });

    it('sends the browser to the provider with PKCE (S256), state and nonce, and keeps the secrets server-side', async () => {
      const jar = new CookieJar();
      const location = new URL(await startLogin(jar));
      assert.equal(location.origin, op.issuer);
      const params = location.searchParams;
      assert.equal(params.get('response_type'), 'code');
      assert.equal(params.get('client_id'), op.clientId);
      assert.equal(params.get('redirect_uri'), `${server.url}/api/auth/oidc/callback`);
      assert.equal(params.get('scope'), 'openid email profile groups');
      assert.equal(params.get('code_challenge_method'), 'S256');
      assert.match(params.get('code_challenge')!, /^[\w-]{43}$/);
      assert.ok(params.get('nonce') && params.get('state'));
      // The browser holds the state; the verifier and nonce are only in the database, under the state's hash.
      assert.equal(jar.get(server.url, 'arkiv_oidc_state'), params.get('state'));
      const row = await server.ctx.db.selectFrom('oidc_logins').selectAll().where('state_hash', '=', crypto.createHash('sha256').update(params.get('state')!).digest('hex')).executeTakeFirstOrThrow();
      assert.equal(row.nonce, params.get('nonce'));
      assert.equal(crypto.createHash('sha256').update(row.code_verifier).digest('base64url'), params.get('code_challenge'));
    });

    it('signs a new person in: the account of the verified email is created and the session is a normal one', async () => {
      const account = newAccount(op);
      const { response, jar } = await signIn(account);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/');
      assert.equal(jar.get(server.url, 'arkiv_oidc_state'), undefined, 'the state cookie is cleared');
      const session = await json(await me(jar));
      assert.equal(session.user.email, account.email);
      assert.deepEqual(session.memberships, []);
      // The same cookie works for writes with its CSRF token, as a password session's does.
      const logout = await jar.fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
      assert.equal(logout.status, 204);
    });

    it('signs an existing account in by its email, however the provider spells it', async () => {
      const existing = await addUser(server, 'member');
      const account = newAccount(op, { email: existing.email.toUpperCase() });
      const { response, jar } = await signIn(account);
      assert.equal(response.status, 303);
      const session = await json(await me(jar));
      assert.equal(session.user.id, existing.id);
      assert.deepEqual(session.memberships.map((m: any) => [m.orgId, m.role]), [[server.orgId, 'member']], 'an organisation without a group map keeps its members as they are');
      const signIns = await server.ctx.db.selectFrom('audit_log').select(['details']).where('org_id', '=', server.orgId).where('action', '=', 'auth.login').where('actor_id', '=', existing.id).execute();
      assert.deepEqual(signIns.map((row) => JSON.parse(row.details)), [{ method: 'oidc' }], 'the sign-in is in the audit log of the organisation, by SSO');
    });

    it('refuses an email the provider does not vouch for, and a missing email, creating no account', async () => {
      for (const overrides of [{ emailVerified: false }, { email: undefined }]) {
        const account = newAccount(op, overrides);
        const { response, jar } = await signIn(account);
        assert.equal(response.status, 303);
        assert.equal(response.headers.get('location'), '/login?ssoError=sso_email_unverified');
        assert.equal((await me(jar)).status, 401);
        if (account.email) assert.equal(await findUserByEmail(server.ctx.db, account.email), undefined);
      }
    });

    it('refuses a replayed callback: the state is used once', async () => {
      const account = newAccount(op);
      const { response, callbackUrl } = await signIn(account);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), '/');
      // The same answer again (a reload, or someone who copied it), even with the state cookie it had.
      const state = new URL(callbackUrl).searchParams.get('state')!;
      const replay = await new CookieJar().fetch(callbackUrl, { headers: { cookie: `arkiv_oidc_state=${state}` } });
      assert.equal(replay.status, 303);
      assert.equal(replay.headers.get('location'), '/login?ssoError=sso_state_invalid');
      assert.ok(!replay.headers.getSetCookie().some((c) => c.startsWith('arkiv_session=')));
    });

    it('refuses a callback whose state is not the one this browser started (login CSRF), or carries none', async () => {
      const account = newAccount(op);
      // The attacker signs in at the provider and hands their callback URL to a victim's browser.
      const attacker = new CookieJar();
      const callbackUrl = await authorizeAtProvider(attacker, await startLogin(attacker), account);
      const victim = new CookieJar();
      await startLogin(victim); // the victim has a sign-in of their own under way
      const forged = await victim.fetch(callbackUrl);
      assert.equal(forged.headers.get('location'), '/login?ssoError=sso_state_invalid');
      assert.equal((await me(victim)).status, 401);
      const noState = await new CookieJar().fetch(`${server.url}/api/auth/oidc/callback?code=abc`);
      assert.equal(noState.headers.get('location'), '/login?ssoError=sso_state_invalid');
      // Same number of characters, not of bytes: still a plain refusal.
      const odd = await new CookieJar().fetch(`${server.url}/api/auth/oidc/callback?code=abc&state=${encodeURIComponent('é'.repeat(43))}`, { headers: { cookie: `arkiv_oidc_state=${'e'.repeat(43)}` } });
      assert.equal(odd.headers.get('location'), '/login?ssoError=sso_state_invalid');
      // The refused attempt consumed nothing of the attacker's: their own browser still completes it.
      const own = await attacker.fetch(callbackUrl);
      assert.equal(own.headers.get('location'), '/');
    });

    it('refuses an ID token whose nonce is not the one sent, and a code exchanged without the right PKCE verifier', async () => {
      for (const column of ['nonce', 'code_verifier'] as const) {
        const account = newAccount(op);
        const jar = new CookieJar();
        const authorizationUrl = await startLogin(jar);
        const stateHash = crypto.createHash('sha256').update(new URL(authorizationUrl).searchParams.get('state')!).digest('hex');
        // What the provider was sent no longer matches what Arkiv checks against.
        await server.ctx.db.updateTable('oidc_logins').set({ [column]: crypto.randomBytes(32).toString('base64url') }).where('state_hash', '=', stateHash).execute();
        const callbackUrl = await authorizeAtProvider(jar, authorizationUrl, account);
        const response = await jar.fetch(callbackUrl);
        assert.equal(response.headers.get('location'), '/login?ssoError=sso_failed', column);
        assert.equal((await me(jar)).status, 401);
        assert.equal(await findUserByEmail(server.ctx.db, account.email!), undefined);
      }
    });

    it('refuses an answer the provider marks as an error (the person declined)', async () => {
      const jar = new CookieJar();
      const state = new URL(await startLogin(jar)).searchParams.get('state')!;
      const response = await jar.fetch(`${server.url}/api/auth/oidc/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(op.issuer)}`);
      assert.equal(response.headers.get('location'), '/login?ssoError=sso_failed');
    });

    it('maps groups to roles on every sign-in: highest role wins, a change follows the groups, no mapped group means no membership', async () => {
      const org = await server.addOrganization(`Mapped ${crypto.randomUUID()}`);
      const ownerUser = await addUser(server, 'owner', org.orgId);
      const orgOwner = await login(server, ownerUser);
      const put = await putSso(org.orgId, { groupRoles: { 'arkiv-admins': 'admin', 'arkiv-readers': 'member', 'arkiv-owners': 'owner' } }, orgOwner);
      assert.equal(put.status, 200);
      assert.deepEqual(await json(put), { groupRoles: { 'arkiv-admins': 'admin', 'arkiv-readers': 'member', 'arkiv-owners': 'owner' }, required: false });
      const roleIn = async (email: string) => {
        const user = await findUserByEmail(server.ctx.db, email);
        return user ? (await membershipsOf(server.ctx.db, user.id)).find((m) => m.orgId === org.orgId)?.role : undefined;
      };

      const account = newAccount(op, { groups: ['arkiv-readers', 'arkiv-admins', 'unrelated'] });
      await signIn(account);
      assert.equal(await roleIn(account.email!), 'admin');
      // The provider moves the person to the readers only: the next sign-in demotes them.
      op.setAccount({ ...account, groups: ['arkiv-readers'] });
      await signIn(account);
      assert.equal(await roleIn(account.email!), 'member');
      // Out of every mapped group: the membership is gone; the account stays.
      op.setAccount({ ...account, groups: ['unrelated'] });
      const { jar } = await signIn(account);
      assert.equal(await roleIn(account.email!), undefined);
      assert.equal((await json(await me(jar))).user.email, account.email);
      // A person in no mapped group never gets a membership.
      const outsider = newAccount(op, { groups: ['someone-elses'] });
      await signIn(outsider);
      assert.equal(await roleIn(outsider.email!), undefined);
    });

    it('never takes the owner role from the last owner, whatever the groups say', async () => {
      const org = await server.addOrganization(`Last owner ${crypto.randomUUID()}`);
      const account = newAccount(op, { groups: ['founders'] });
      assert.equal((await putSso(org.orgId, { groupRoles: { founders: 'owner' } }, await login(server, await addUser(server, 'owner', org.orgId)))).status, 200);
      await signIn(account);
      const user = (await findUserByEmail(server.ctx.db, account.email!))!;
      // The other owner leaves; the SSO owner is now the only one.
      await server.ctx.db.deleteFrom('memberships').where('org_id', '=', org.orgId).where('user_id', '<>', user.id).execute();
      op.setAccount({ ...account, groups: [] });
      const { response } = await signIn(account);
      assert.equal(response.headers.get('location'), '/', 'the sign-in itself succeeds');
      assert.equal((await membershipsOf(server.ctx.db, user.id)).find((m) => m.orgId === org.orgId)?.role, 'owner');
    });

    it('refuses password sign-in to members of an organisation that requires SSO; SSO still signs them in', async () => {
      const org = await server.addOrganization(`Required ${crypto.randomUUID()}`);
      const orgOwner = await login(server, await addUser(server, 'owner', org.orgId));
      const member = await addUser(server, 'member', org.orgId);
      const outsider = await addUser(server, 'member');
      assert.equal((await putSso(org.orgId, { groupRoles: {}, required: true }, orgOwner)).status, 200);
      const refused = await postLogin(server, member.email, member.password);
      assert.equal(refused.status, 403);
      assert.equal((await json(refused)).code, 'sso_required');
      assert.ok(!refused.headers.getSetCookie().some((c) => c.startsWith('arkiv_session=')));
      // A wrong password still reads as a wrong password: the SSO rule is only told to who knows the password.
      assert.equal((await json(await postLogin(server, member.email, 'not the password'))).code, 'invalid_credentials');
      assert.equal((await postLogin(server, outsider.email, outsider.password)).status, 200, 'members of other organisations only are unaffected');
      const { response, jar } = await signIn(newAccount(op, { email: member.email }));
      assert.equal(response.headers.get('location'), '/');
      assert.equal((await json(await me(jar))).user.id, member.id);
      // An invitation is no way around it: accepted with a password it is refused, signed in through SSO it works.
      const invitedEmail = `invited-${crypto.randomUUID()}@example.test`;
      const { token } = await createInvitation(server.ctx.db, { orgId: org.orgId, email: invitedEmail, role: 'member', createdBy: null, now: Date.now() });
      const accept = (headers: Record<string, string>, body: unknown) =>
        fetch(`${server.url}/api/invitations/${token}/accept`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const byPassword = await accept({}, { password: 'a password of my own' });
      assert.equal(byPassword.status, 403);
      assert.equal((await json(byPassword)).code, 'sso_required');
      assert.equal(await findUserByEmail(server.ctx.db, invitedEmail), undefined, 'no account was created');
      const invited = await signIn(newAccount(op, { email: invitedEmail }));
      const csrfToken = (await json(await me(invited.jar))).csrfToken;
      const bySso = await accept({ cookie: invited.jar.header(server.url), 'x-csrf-token': csrfToken }, {});
      assert.equal(bySso.status, 200);
      assert.deepEqual((await json(bySso)).memberships.map((m: any) => m.orgId), [org.orgId]);
      // Turned off again, the password works.
      assert.equal((await putSso(org.orgId, { groupRoles: {}, required: false }, orgOwner)).status, 200);
      assert.equal((await postLogin(server, member.email, member.password)).status, 200);
    });

    it('lets administrators read and change the settings, and only owners hand out or take back the owner role', async () => {
      const org = await server.addOrganization(`Settings ${crypto.randomUUID()}`);
      const admin = await login(server, await addUser(server, 'admin', org.orgId));
      const orgOwner = await login(server, await addUser(server, 'owner', org.orgId));
      const member = await login(server, await addUser(server, 'member', org.orgId));
      assert.deepEqual(await json(await fetch(`${server.url}/api/orgs/${org.orgId}/sso`, { headers: admin.headers() })), { groupRoles: {}, required: false });
      assert.equal((await fetch(`${server.url}/api/orgs/${org.orgId}/sso`, { headers: member.headers() })).status, 403);
      assert.equal((await putSso(org.orgId, { groupRoles: { devs: 'admin' } }, admin)).status, 200);
      assert.equal((await putSso(org.orgId, { groupRoles: { devs: 'owner' } }, admin)).status, 403);
      assert.equal((await putSso(org.orgId, { groupRoles: { devs: 'owner' } }, orgOwner)).status, 200);
      assert.equal((await putSso(org.orgId, { groupRoles: {} }, admin)).status, 403, 'removing an owner mapping is an owner\'s decision too');
      const bad = await putSso(org.orgId, { groupRoles: { devs: 'superuser' } }, orgOwner);
      assert.equal(bad.status, 400);
      assert.equal((await putSso(org.orgId, { groupRoles: { ' ': 'member' } }, orgOwner)).status, 400);
      assert.deepEqual(await json(await fetch(`${server.url}/api/orgs/${org.orgId}/sso`, { headers: orgOwner.headers() })), { groupRoles: { devs: 'owner' }, required: false });
    });
  });
}

describe('single sign-on when not configured', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(() => server.stop());

  it('says so, answers 404 sso_not_configured, and refuses to require it', async () => {
    assert.deepEqual(await json(await fetch(`${server.url}/api/auth/config`)), { sso: { enabled: false } });
    for (const path of ['/api/auth/oidc/login', '/api/auth/oidc/callback?state=x&code=y']) {
      const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      assert.equal(response.status, 404);
      assert.equal((await json(response)).code, 'sso_not_configured');
    }
    const owner = await login(server, await addUser(server, 'owner'));
    const put = await fetch(`${server.url}/api/orgs/${server.orgId}/sso`, {
      method: 'PUT',
      headers: { ...owner.headers(true), 'content-type': 'application/json' },
      body: JSON.stringify({ groupRoles: {}, required: true }),
    });
    assert.equal(put.status, 409);
    assert.equal((await json(put)).code, 'sso_not_configured');
  });
});

describe('single sign-on with an unreachable provider', () => {
  let server: TestServer;
  before(async () => {
    // A port nothing listens on: bind one, note it, close it.
    const probe = await import('node:net').then((net) => net.createServer());
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    server = await startTestServer('sqlite', { ARKIV_OIDC_ISSUER: `http://127.0.0.1:${port}`, ARKIV_OIDC_CLIENT_ID: 'arkiv' });
  });
  after(() => server.stop());

  it('still starts, and sends the browser back to the sign-in page with sso_provider_unavailable', async () => {
    const response = await fetch(`${server.url}/api/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/login?ssoError=sso_provider_unavailable');
  });

  it('limits SSO starts per client address: each one writes a row without any sign-in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < SSO_REQUESTS_PER_MINUTE; i += 1) statuses.push((await fetch(`${server.url}/api/auth/oidc/login`, { redirect: 'manual' })).status);
    // The test above used one start of this minute.
    assert.deepEqual(statuses.slice(0, -1), Array(SSO_REQUESTS_PER_MINUTE - 1).fill(303));
    const limited = await fetch(`${server.url}/api/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(limited.status, 429);
    assert.equal((await json(limited)).code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await fetch(`${server.url}/api/auth/config`)).status, 200, 'the config route is not limited');
  });
});
