import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, postLogin, type LoggedIn } from './account-test-helpers.js';
import { createInvitation } from './invitations.js';
import { createApiToken } from './tokens.js';
import { addMembership } from './memberships.js';

for (const dialect of testDialects) {
  describe(`account deletion (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.stop());

    const deleteMe = (session: LoggedIn, password: string, write = true) =>
      fetch(`${server.url}/api/auth/me`, { method: 'DELETE', headers: { ...session.headers(write), 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
    const me = (session: LoggedIn) => fetch(`${server.url}/api/auth/me`, { headers: session.headers() });
    const db = () => server.ctx.db;
    /** Every row that names the user, to prove a refused deletion changed nothing. */
    const footprint = async (userId: string, email: string) => ({
      users: await db().selectFrom('users').select(['id', 'password_hash']).where('id', '=', userId).execute(),
      memberships: await db().selectFrom('memberships').select(['org_id', 'role']).where('user_id', '=', userId).orderBy('org_id').execute(),
      sessions: await db().selectFrom('sessions').select('id').where('user_id', '=', userId).orderBy('id').execute(),
      invitations: await db().selectFrom('invitations').select('id').where('email', '=', email).orderBy('id').execute(),
    });

    it("deletes a member's account: sessions, memberships and pending invitations go; others stay", async () => {
      const user = await addUser(server, 'member');
      const other = await addUser(server, 'member');
      const second = await server.addOrganization(`second ${crypto.randomUUID()}`);
      await addMembership(db(), { orgId: second.orgId, userId: user.id, role: 'admin', now: Date.now() });
      await createInvitation(db(), { orgId: second.orgId, email: user.email, role: 'member', createdBy: null, now: Date.now() });
      // A token the user made belongs to the organisation: it keeps working.
      const { token } = await createApiToken(db(), { orgId: second.orgId, name: 'made by the leaver', scopes: ['admin'], createdBy: user.id });
      const session = await login(server, user);
      const otherDevice = await login(server, user);
      const otherSession = await login(server, other);

      const response = await deleteMe(session, user.password);
      assert.equal(response.status, 204, await response.clone().text());
      const cleared = response.headers.getSetCookie().find((c) => c.startsWith('arkiv_session='));
      assert.ok(cleared && /arkiv_session=;/.test(cleared) && /Expires=Thu, 01 Jan 1970|Max-Age=0/i.test(cleared), cleared);

      assert.equal((await me(session)).status, 401);
      assert.equal((await me(otherDevice)).status, 401);
      assert.equal((await postLogin(server, user.email, user.password)).status, 401);
      assert.deepEqual(await footprint(user.id, user.email), { users: [], memberships: [], sessions: [], invitations: [] });
      // The other user, and both organisations, are untouched.
      assert.equal((await me(otherSession)).status, 200);
      assert.equal((await db().selectFrom('memberships').select('role').where('user_id', '=', other.id).executeTakeFirst())?.role, 'member');
      assert.equal((await fetch(`${server.url}/api/orgs/${second.orgId}`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.equal((await db().selectFrom('organizations').select('id').where('id', 'in', [server.orgId, second.orgId]).execute()).length, 2);
    });

    it('a wrong password is 403 invalid_credentials (the session lives on) and changes nothing', async () => {
      const user = await addUser(server, 'member');
      const session = await login(server, user);
      const beforeRows = await footprint(user.id, user.email);
      const response = await deleteMe(session, 'not my password at all');
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal((await json(response)).code, 'invalid_credentials');
      assert.deepEqual(await footprint(user.id, user.email), beforeRows);
      assert.equal((await me(session)).status, 200);
    });

    it('the last owner of an organisation is refused with 409 last_owner and nothing changes; a co-owned one is fine', async () => {
      const owner = await addUser(server, null);
      const owned = await server.addOrganization(`owned ${crypto.randomUUID()}`);
      const shared = await server.addOrganization(`shared ${crypto.randomUUID()}`);
      const coOwner = await addUser(server, 'owner', shared.orgId);
      await addMembership(db(), { orgId: shared.orgId, userId: owner.id, role: 'owner', now: Date.now() });
      await addMembership(db(), { orgId: owned.orgId, userId: owner.id, role: 'owner', now: Date.now() });
      await addMembership(db(), { orgId: server.orgId, userId: owner.id, role: 'member', now: Date.now() });
      const session = await login(server, owner);
      const beforeRows = await footprint(owner.id, owner.email);

      const refused = await deleteMe(session, owner.password);
      assert.equal(refused.status, 409);
      assert.equal((await json(refused)).code, 'last_owner');
      assert.deepEqual(await footprint(owner.id, owner.email), beforeRows);
      assert.equal((await me(session)).status, 200);

      // Once someone else owns that organisation too, the account can go; the co-owner stays owner.
      await addMembership(db(), { orgId: owned.orgId, userId: coOwner.id, role: 'owner', now: Date.now() });
      assert.equal((await deleteMe(session, owner.password)).status, 204);
      assert.equal((await db().selectFrom('memberships').select('user_id').where('role', '=', 'owner').where('org_id', 'in', [owned.orgId, shared.orgId]).execute()).length, 2);
    });

    it('needs the CSRF token and a session: without it 403, and the account stays', async () => {
      const user = await addUser(server, 'member');
      const session = await login(server, user);
      const response = await deleteMe(session, user.password, false);
      assert.equal(response.status, 403);
      assert.equal((await json(response)).code, 'csrf_failed');
      assert.equal((await me(session)).status, 200);
      const anonymous = await fetch(`${server.url}/api/auth/me`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: user.password }) });
      assert.equal(anonymous.status, 401);
      const token = await fetch(`${server.url}/api/auth/me`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ password: user.password }) });
      assert.equal(token.status, 403);
      assert.equal((await footprint(user.id, user.email)).users.length, 1);
    });
  });
}
