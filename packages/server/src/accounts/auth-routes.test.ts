import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, postLogin, sessionCookieOf, type TestUser } from './account-test-helpers.js';
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS } from './sessions.js';

for (const dialect of testDialects) {
  describe(`auth routes (${dialect})`, () => {
    let server: TestServer;
    let owner: TestUser;
    before(async () => {
      server = await startTestServer(dialect);
      owner = await addUser(server, 'owner');
    });
    after(() => server.stop());

    const me = (headers: Record<string, string>) => fetch(`${server.url}/api/auth/me`, { headers });
    const post = (path: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });

    it('logs in with a session cookie that is httpOnly, SameSite=Lax, Path=/ and not Secure over plain HTTP', async () => {
      const response = await postLogin(server, owner.email.toUpperCase(), owner.password);
      assert.equal(response.status, 200);
      const body = await json(response);
      assert.deepEqual(body.user, { id: owner.id, email: owner.email, totpEnabled: false });
      assert.deepEqual(body.memberships, [{ orgId: server.orgId, orgName: 'Test organisation', role: 'owner', requireMfa: false }]);
      assert.match(body.csrfToken, /^[\w-]{40,}$/);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('arkiv_session='))!;
      const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
      assert.ok(attributes.includes('httponly'));
      assert.ok(attributes.includes('samesite=lax'));
      assert.ok(attributes.includes('path=/'));
      assert.ok(!attributes.includes('secure'));

      const current = await me({ cookie: sessionCookieOf(response) });
      assert.equal(current.status, 200);
      assert.deepEqual(await json(current), body);
    });

    it('stores only hashes: of the session id and, with scrypt parameters, of the password', async () => {
      const session = await login(server, owner);
      const token = session.cookie.split('=')[1]!;
      const rows = await server.ctx.db.selectFrom('sessions').select(['token_hash', 'csrf_token']).execute();
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.token_hash !== token && !r.token_hash.includes(token)));
      const user = await server.ctx.db.selectFrom('users').select('password_hash').where('id', '=', owner.id).executeTakeFirstOrThrow();
      assert.match(user.password_hash, /^\$scrypt\$ln=16,r=8,p=2\$[\w-]{22}\$[\w-]{43}$/);
    });

    it('answers a wrong password and an unknown email alike: 401 invalid_credentials', async () => {
      const wrong = await postLogin(server, owner.email, 'not the password at all');
      const unknown = await postLogin(server, 'nobody@example.test', 'not the password at all');
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      const [a, b] = [await json(wrong), await json(unknown)];
      assert.equal(a.code, 'invalid_credentials');
      assert.deepEqual(a, b);
      assert.equal(wrong.headers.getSetCookie().length, 0);
    });

    it('answers /me with 401 when anonymous and 403 for an API token', async () => {
      assert.equal((await me({})).status, 401);
      assert.equal((await me({ cookie: 'arkiv_session=made-up-session-value-123456' })).status, 401);
      const token = await me({ authorization: `Bearer ${server.tokens.admin}` });
      assert.equal(token.status, 403);
    });

    it('refuses a cookie-authenticated write without the matching X-CSRF-Token; bearer tokens need none', async () => {
      const session = await login(server, owner);
      const url = `/api/orgs/${server.orgId}/tokens`;
      const body = { name: 'csrf probe', scopes: ['read'] };
      for (const headers of [session.headers(), { ...session.headers(), 'x-csrf-token': 'wrong' }, { ...session.headers(), 'x-csrf-token': `${session.csrfToken}x` }]) {
        const refused = await post(url, headers, body);
        assert.equal(refused.status, 403);
        assert.equal((await json(refused)).code, 'csrf_failed');
      }
      assert.equal((await post(url, session.headers(true), body)).status, 201);
      assert.equal((await post(url, { authorization: `Bearer ${server.tokens.admin}` }, body)).status, 201);
      // Reads need no token.
      assert.equal((await fetch(`${server.url}${url}`, { headers: session.headers() })).status, 200);
    });

    it('refuses a login posted from another site (login CSRF) but accepts same-origin and non-browser logins', async () => {
      for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }, { origin: 'null' }]) {
        const response = await postLogin(server, owner.email, owner.password, headers);
        assert.equal(response.status, 403, JSON.stringify(headers));
        assert.equal((await json(response)).code, 'csrf_failed');
      }
      const host = new URL(server.url).host;
      for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'same-origin', origin: server.url }, { origin: `http://${host}` }, {}]) {
        assert.equal((await postLogin(server, owner.email, owner.password, headers)).status, 200, JSON.stringify(headers));
      }
    });

    it('logs out: the session is deleted server-side and the cookie cleared', async () => {
      const session = await login(server, owner);
      const before = await server.ctx.db.selectFrom('sessions').select('id').execute();
      const response = await post('/api/auth/logout', session.headers(true));
      assert.equal(response.status, 204);
      assert.match(response.headers.getSetCookie()[0]!, /^arkiv_session=;.*Max-Age=0/);
      assert.equal((await me(session.headers())).status, 401);
      const afterRows = await server.ctx.db.selectFrom('sessions').select('id').execute();
      assert.equal(afterRows.length, before.length - 1);
      // Logging out again (or without a session) is harmless.
      assert.equal((await post('/api/auth/logout', {})).status, 204);
    });

    it('changes the password: checks the current one, needs 12 characters, ends the other sessions', async () => {
      const user = await addUser(server, 'member');
      const first = await login(server, user);
      const second = await login(server, user);
      const change = (body: unknown) => post('/api/auth/password', first.headers(true), body);

      const wrong = await change({ currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
      assert.equal(wrong.status, 403);
      assert.equal((await json(wrong)).code, 'invalid_credentials');
      const short = await change({ currentPassword: user.password, newPassword: 'elevenchars' });
      assert.equal(short.status, 400);
      assert.equal((await json(short)).code, 'password_too_short');
      assert.equal((await me(second.headers())).status, 200, 'failed attempts change nothing');

      assert.equal((await change({ currentPassword: user.password, newPassword: 'a brand new passphrase' })).status, 204);
      assert.equal((await me(first.headers())).status, 200, 'the session that changed it stays');
      assert.equal((await me(second.headers())).status, 401, 'other sessions end');
      assert.equal((await postLogin(server, user.email, user.password)).status, 401);
      assert.equal((await postLogin(server, user.email, 'a brand new passphrase')).status, 200);
      assert.equal((await post('/api/auth/password', { authorization: `Bearer ${server.tokens.admin}` }, { currentPassword: 'x', newPassword: 'y'.repeat(12) })).status, 403);
      assert.equal((await post('/api/auth/password', {}, { currentPassword: 'x', newPassword: 'y'.repeat(12) })).status, 401);
    });

    it('ends a session after the idle timeout and after the absolute lifetime, however active', async () => {
      const realNow = server.ctx.now;
      let now = realNow();
      server.ctx.now = () => now;
      try {
        const idle = await login(server, owner);
        now += IDLE_TIMEOUT_MS - 60_000;
        assert.equal((await me(idle.headers())).status, 200);
        now += IDLE_TIMEOUT_MS - 60_000;
        assert.equal((await me(idle.headers())).status, 200, 'each request renews the idle timeout');
        now += IDLE_TIMEOUT_MS;
        assert.equal((await me(idle.headers())).status, 401);

        const busy = await login(server, owner);
        const end = now + ABSOLUTE_LIFETIME_MS;
        while (now + IDLE_TIMEOUT_MS / 2 < end) {
          now += IDLE_TIMEOUT_MS / 2;
          assert.equal((await me(busy.headers())).status, 200);
        }
        now = end;
        assert.equal((await me(busy.headers())).status, 401);
      } finally {
        server.ctx.now = realNow;
      }
    });
  });

  describe(`session cookie behind a TLS proxy (${dialect})`, () => {
    it('is Secure when a trusted proxy says the request came over HTTPS, and not when the proxy is not trusted', async () => {
      for (const trust of ['loopback', '0']) {
        const server = await startTestServer(dialect, { ARKIV_TRUST_PROXY: trust });
        try {
          const owner = await addUser(server, 'owner');
          const response = await postLogin(server, owner.email, owner.password, { 'x-forwarded-proto': 'https' });
          assert.equal(response.status, 200);
          const secure = /;\s*Secure/i.test(response.headers.getSetCookie()[0]!);
          assert.equal(secure, trust === 'loopback');
        } finally {
          await server.stop();
        }
      }
    });
  });
}
