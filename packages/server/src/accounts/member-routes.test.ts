import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, postLogin, type LoggedIn, type TestUser } from './account-test-helpers.js';

for (const dialect of testDialects) {
  describe(`members and roles (${dialect})`, () => {
    let server: TestServer;
    let owner: TestUser;
    let ownerSession: LoggedIn;
    let adminSession: LoggedIn;
    before(async () => {
      server = await startTestServer(dialect);
      owner = await addUser(server, 'owner');
      ownerSession = await login(server, owner);
      adminSession = await login(server, await addUser(server, 'admin'));
    });
    after(() => server.stop());

    const call = (session: LoggedIn, method: string, path: string, body?: unknown) =>
      fetch(`${server.url}/api/orgs/${server.orgId}${path}`, {
        method,
        headers: { ...session.headers(method !== 'GET'), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
    const members = async () => ((await json(await call(ownerSession, 'GET', '/members'))) as { members: Array<{ userId: string; email: string; role: string }> }).members;

    it('creates an account with a generated password shown once, which then logs in', async () => {
      const response = await call(adminSession, 'POST', '/members', { email: '  New.Person@Example.test ', role: 'member' });
      assert.equal(response.status, 201);
      const added = await json(response);
      assert.equal(added.email, 'new.person@example.test');
      assert.equal(added.role, 'member');
      assert.equal(added.userCreated, true);
      assert.match(added.generatedPassword, /^[A-Za-z2-9]{24}$/);
      const loggedIn = await postLogin(server, 'new.person@example.test', added.generatedPassword);
      assert.equal(loggedIn.status, 200);
      assert.deepEqual((await json(loggedIn)).memberships.map((m: { role: string }) => m.role), ['member']);
      assert.ok((await members()).some((m) => m.userId === added.userId && m.role === 'member'));
    });

    it('adds an existing account of another organisation without touching its password', async () => {
      const other = await server.addOrganization('Other organisation');
      const elsewhere = await addUser(server, 'owner', other.orgId);
      const withPassword = await call(adminSession, 'POST', '/members', { email: elsewhere.email, role: 'member', password: 'attacker chosen password' });
      assert.equal(withPassword.status, 409);
      assert.equal((await json(withPassword)).code, 'user_exists');
      const added = await json(await call(adminSession, 'POST', '/members', { email: elsewhere.email, role: 'admin' }));
      assert.equal(added.userCreated, false);
      assert.equal(added.generatedPassword, undefined);
      const loggedIn = await postLogin(server, elsewhere.email, elsewhere.password);
      const roles = (await json(loggedIn)).memberships.map((m: { orgId: string; role: string }) => `${m.orgId === server.orgId ? 'own' : 'other'}:${m.role}`);
      assert.deepEqual(roles.sort(), ['other:owner', 'own:admin']);
      const again = await call(adminSession, 'POST', '/members', { email: elsewhere.email, role: 'member' });
      assert.equal(again.status, 409);
      assert.equal((await json(again)).code, 'already_member');
    });

    it('will not share an account whose password another organisation set until its owner changes it', async () => {
      const other = await server.addOrganization('Account-planting organisation');
      const email = 'planted@example.test';
      // The other organisation's admin creates the account with a password they know.
      const planted = await fetch(`${server.url}/api/orgs/${other.orgId}/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email, role: 'member', password: 'a password the planter knows' }),
      });
      assert.equal(planted.status, 201);
      const refused = await call(adminSession, 'POST', '/members', { email, role: 'admin' });
      assert.equal(refused.status, 409);
      assert.equal((await json(refused)).code, 'account_unclaimed');
      // The owner of the account chooses their own password; now no organisation knows it.
      const self = await login(server, { email, password: 'a password the planter knows' });
      const changed = await fetch(`${server.url}/api/auth/password`, {
        method: 'POST',
        headers: { ...self.headers(true), 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'a password the planter knows', newPassword: 'only the owner knows this one' }),
      });
      assert.equal(changed.status, 204);
      assert.equal((await call(adminSession, 'POST', '/members', { email, role: 'admin' })).status, 201);
      assert.equal((await postLogin(server, email, 'a password the planter knows')).status, 401);
    });

    it("revokes the API tokens an administrator made when they leave or become a member", async () => {
      for (const change of ['demote', 'remove'] as const) {
        const admin = await addUser(server, 'admin');
        const session = await login(server, admin);
        const created = await json(await call(session, 'POST', '/tokens', { name: `made by ${change}`, scopes: ['admin'] }));
        const useToken = () => fetch(`${server.url}/api/orgs/${server.orgId}`, { headers: { authorization: `Bearer ${created.token}` } }).then((r) => r.status);
        assert.equal(await useToken(), 200);
        const path = `/members/${admin.id}`;
        const response = change === 'demote' ? await call(ownerSession, 'PATCH', path, { role: 'member' }) : await call(ownerSession, 'DELETE', path);
        assert.ok(response.status === 200 || response.status === 204, `${change}: ${response.status}`);
        assert.equal(await useToken(), 401, `${change} revokes the token`);
      }
    });

    it('rejects a short chosen password and a malformed email', async () => {
      const short = await call(adminSession, 'POST', '/members', { email: 'short@example.test', role: 'member', password: 'too short' });
      assert.equal(short.status, 400);
      assert.equal((await json(short)).code, 'password_too_short');
      assert.equal((await call(adminSession, 'POST', '/members', { email: 'not an email', role: 'member' })).status, 400);
      assert.ok(!(await members()).some((m) => m.email === 'short@example.test'));
    });

    it('lets administrators manage members and administrators but only owners touch owners', async () => {
      const target = await addUser(server, 'member');
      assert.equal((await call(adminSession, 'PATCH', `/members/${target.id}`, { role: 'admin' })).status, 200);
      assert.equal((await call(adminSession, 'PATCH', `/members/${target.id}`, { role: 'member' })).status, 200);
      for (const refused of [
        await call(adminSession, 'PATCH', `/members/${target.id}`, { role: 'owner' }),
        await call(adminSession, 'POST', '/members', { email: 'would-be-owner@example.test', role: 'owner' }),
        await call(adminSession, 'PATCH', `/members/${owner.id}`, { role: 'admin' }),
        await call(adminSession, 'DELETE', `/members/${owner.id}`),
      ]) {
        assert.equal(refused.status, 403);
        assert.equal((await json(refused)).code, 'forbidden');
      }
      assert.equal((await call(ownerSession, 'PATCH', `/members/${target.id}`, { role: 'owner' })).status, 200);
      assert.equal((await call(ownerSession, 'DELETE', `/members/${target.id}`)).status, 204);
      assert.ok(!(await members()).some((m) => m.userId === target.id));
    });

    it('never lets the last owner go: not by demotion, not by removal, not by two owners at once', async () => {
      const demote = await call(ownerSession, 'PATCH', `/members/${owner.id}`, { role: 'admin' });
      assert.equal(demote.status, 409);
      assert.equal((await json(demote)).code, 'last_owner');
      assert.equal((await call(ownerSession, 'DELETE', `/members/${owner.id}`)).status, 409);

      const second = await addUser(server, 'owner');
      const secondSession = await login(server, second);
      // Each demotes the other at the same moment: exactly one may succeed.
      const results = await Promise.all([
        call(ownerSession, 'PATCH', `/members/${second.id}`, { role: 'admin' }),
        call(secondSession, 'PATCH', `/members/${owner.id}`, { role: 'admin' }),
      ]);
      // The loser is refused either by the last-owner rule (409) or, when the winner committed
      // before its role was read, because it is no longer an owner (403).
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses[0], 200);
      assert.ok(statuses[1] === 403 || statuses[1] === 409, String(statuses));
      const owners = (await members()).filter((m) => m.role === 'owner');
      assert.equal(owners.length, 1);
      // Restore: the original owner stays owner for the other tests.
      if (owners[0]!.userId !== owner.id) {
        assert.equal((await call(secondSession, 'PATCH', `/members/${owner.id}`, { role: 'owner' })).status, 200);
        ownerSession = await login(server, owner);
      }
    });

    it('applies role changes to live sessions at once', async () => {
      const user = await addUser(server, 'admin');
      const session = await login(server, user);
      assert.equal((await call(session, 'GET', '/members')).status, 200);
      assert.equal((await call(ownerSession, 'PATCH', `/members/${user.id}`, { role: 'member' })).status, 200);
      assert.equal((await call(session, 'GET', '/members')).status, 403);
      assert.equal((await call(ownerSession, 'DELETE', `/members/${user.id}`)).status, 204);
      const orgs = await json(await fetch(`${server.url}/api/orgs`, { headers: session.headers() }));
      assert.deepEqual(orgs, { organizations: [] });
    });

    it('cannot reach members of another organisation through its own organisation path', async () => {
      const other = await server.addOrganization('Elsewhere');
      const stranger = await addUser(server, 'member', other.orgId);
      assert.equal((await call(ownerSession, 'PATCH', `/members/${stranger.id}`, { role: 'admin' })).status, 404);
      assert.equal((await call(ownerSession, 'DELETE', `/members/${stranger.id}`)).status, 404);
      const theirs = await fetch(`${server.url}/api/orgs/${other.orgId}/members`, { headers: { authorization: `Bearer ${other.adminToken}` } });
      assert.deepEqual((await json(theirs)).members.map((m: { role: string }) => m.role), ['member']);
    });

    it('lists the caller’s organisations with their role; a token sees its own with its scopes', async () => {
      const other = await server.addOrganization('Second organisation');
      const user = await addUser(server, 'member');
      await fetch(`${server.url}/api/orgs/${other.orgId}/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, role: 'admin' }),
      });
      const session = await login(server, user);
      const mine = await json(await fetch(`${server.url}/api/orgs`, { headers: session.headers() }));
      assert.deepEqual(mine.organizations, [
        { id: other.orgId, name: 'Second organisation', role: 'admin' },
        { id: server.orgId, name: 'Test organisation', role: 'member' },
      ]);
      const token = await json(await fetch(`${server.url}/api/orgs`, { headers: { authorization: `Bearer ${server.tokens.upload}` } }));
      assert.deepEqual(token.organizations, [{ id: server.orgId, name: 'Test organisation', role: null, scopes: ['upload'] }]);
    });
  });
}
