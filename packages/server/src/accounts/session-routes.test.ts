import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, type LoggedIn, type TestUser } from './account-test-helpers.js';

/** A login with a chosen User-Agent, so each session of a user is recognisable in the list. */
const loginAs = (server: TestServer, user: TestUser, userAgent: string) => login(server, user, { 'user-agent': userAgent });

for (const dialect of testDialects) {
  describe(`session routes (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.stop());

    const list = (session: LoggedIn) => fetch(`${server.url}/api/auth/sessions`, { headers: session.headers() });
    const del = (path: string, headers: Record<string, string>) => fetch(`${server.url}${path}`, { method: 'DELETE', headers });
    const me = (session: LoggedIn) => fetch(`${server.url}/api/auth/me`, { headers: session.headers() });

    it('lists the own sessions with the current flag, address and cleaned User-Agent, never a credential', async () => {
      const user = await addUser(server, 'member');
      const laptop = await loginAs(server, user, 'Laptop browser/1.0');
      const phone = await loginAs(server, user, `Phone\tbrowser ${'x'.repeat(400)}`);
      const response = await list(laptop);
      assert.equal(response.status, 200);
      const { sessions } = await json(response);
      assert.equal(sessions.length, 2);
      const current = sessions.find((s: any) => s.current);
      const other = sessions.find((s: any) => !s.current);
      assert.equal(current.userAgent, 'Laptop browser/1.0');
      assert.equal(current.address, '127.0.0.1');
      assert.match(current.id, /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(current.createdAt)) && !Number.isNaN(Date.parse(current.lastSeenAt)));
      assert.equal(other.userAgent.length, 256);
      assert.ok(other.userAgent.startsWith('Phonebrowser xxx'), 'control characters are stripped');
      // The id names the row; neither the cookie value nor its hash appears anywhere in the answer.
      const rows = await server.ctx.db.selectFrom('sessions').select(['token_hash', 'csrf_token']).where('user_id', '=', user.id).execute();
      const text = JSON.stringify(sessions);
      for (const secret of [laptop.cookie.split('=')[1]!, phone.cookie.split('=')[1]!, ...rows.flatMap((r) => [r.token_hash, r.csrf_token])]) {
        assert.ok(!text.includes(secret));
      }
      // From the phone's side, the phone is the current one.
      const fromPhone = (await json(await list(phone))).sessions;
      assert.equal(fromPhone.find((s: any) => s.current).id, other.id);
    });

    it('ends another own session: its cookie gets 401, the current one lives on', async () => {
      const user = await addUser(server, 'member');
      const keep = await loginAs(server, user, 'keeper');
      const doomed = await loginAs(server, user, 'doomed');
      const doomedId = (await json(await list(doomed))).sessions.find((s: any) => s.current).id;
      assert.equal((await del(`/api/auth/sessions/${doomedId}`, keep.headers(true))).status, 204);
      assert.equal((await me(doomed)).status, 401);
      assert.equal((await me(keep)).status, 200);
      const left = (await json(await list(keep))).sessions;
      assert.deepEqual(left.map((s: any) => s.userAgent), ['keeper']);
      // A second time it is gone.
      assert.equal((await del(`/api/auth/sessions/${doomedId}`, keep.headers(true))).status, 404);
    });

    it("answers 404, not 403, for another user's session, and leaves it alone", async () => {
      const mallory = await loginAs(server, await addUser(server, 'owner'), 'mallory');
      const victim = await loginAs(server, await addUser(server, 'member'), 'victim');
      const victimId = (await json(await list(victim))).sessions[0].id;
      const response = await del(`/api/auth/sessions/${victimId}`, mallory.headers(true));
      assert.equal(response.status, 404);
      assert.equal((await json(response)).code, 'not_found');
      assert.equal((await me(victim)).status, 200);
    });

    it('needs the CSRF token to end a session with the cookie', async () => {
      const user = await addUser(server, 'member');
      const session = await loginAs(server, user, 'csrf');
      const id = (await json(await list(session))).sessions[0].id;
      const response = await del(`/api/auth/sessions/${id}`, session.headers(false));
      assert.equal(response.status, 403);
      assert.equal((await json(response)).code, 'csrf_failed');
      assert.equal((await me(session)).status, 200);
    });

    it("lets an administrator end all of a member's sessions, but not a member an administrator's", async () => {
      const admin = await loginAs(server, await addUser(server, 'admin'), 'admin');
      const memberUser = await addUser(server, 'member');
      const member = await loginAs(server, memberUser, 'member one');
      const member2 = await loginAs(server, memberUser, 'member two');
      const adminUser = (await json(await me(admin))).user;

      const refused = await del(`/api/orgs/${server.orgId}/members/${adminUser.id}/sessions`, member.headers(true));
      assert.equal(refused.status, 403);
      assert.equal((await me(admin)).status, 200);

      const ended = await del(`/api/orgs/${server.orgId}/members/${memberUser.id}/sessions`, admin.headers(true));
      assert.equal(ended.status, 204);
      assert.equal((await me(member)).status, 401);
      assert.equal((await me(member2)).status, 401);
      assert.equal((await me(admin)).status, 200);

      // An owner's sessions are an owner's business; someone in no organisation of the caller is not found.
      const owner = await loginAs(server, await addUser(server, 'owner'), 'owner');
      const ownerId = (await json(await me(owner))).user.id;
      assert.equal((await del(`/api/orgs/${server.orgId}/members/${ownerId}/sessions`, admin.headers(true))).status, 403);
      const stranger = await addUser(server, null);
      assert.equal((await del(`/api/orgs/${server.orgId}/members/${stranger.id}/sessions`, admin.headers(true))).status, 404);
    });

    it('updates lastSeenAt at most once a minute', async () => {
      const user = await addUser(server, 'member');
      const session = await loginAs(server, user, 'clock');
      const realNow = server.ctx.now;
      const start = realNow();
      let now = start;
      server.ctx.now = () => now;
      try {
        const seen = async () => Date.parse((await json(await list(session))).sessions[0].lastSeenAt);
        const first = await seen();
        now = start + 30_000;
        assert.equal(await seen(), first, 'no write within the minute');
        now = start + 120_000;
        assert.equal(await seen(), start + 120_000);
      } finally {
        server.ctx.now = realNow;
      }
    });
  });
}
