import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/smtp-test-helpers.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, sessionCookieOf, type LoggedIn } from './account-test-helpers.js';

const PUBLIC_URL = 'https://arkiv.example.test';

for (const dialect of testDialects) {
  describe(`invitations (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let server: TestServer;
    let noMail: TestServer;
    let admin: LoggedIn;
    let owner: LoggedIn;
    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer(dialect, { ARKIV_PUBLIC_URL: PUBLIC_URL, ARKIV_SMTP_URL: smtp.url, ARKIV_MAIL_FROM: 'Arkiv <arkiv@example.test>' });
      noMail = await startTestServer(dialect);
      admin = await login(server, await addUser(server, 'admin'));
      owner = await login(server, await addUser(server, 'owner'));
    });
    after(async () => {
      await server.stop();
      await noMail.stop();
      await smtp.close();
    });

    const invite = (session: LoggedIn, body: unknown, target = server) =>
      fetch(`${target.url}/api/orgs/${target.orgId}/invitations`, { method: 'POST', headers: { ...session.headers(true), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
    const preview = (token: string, target = server) => fetch(`${target.url}/api/invitations/${encodeURIComponent(token)}`);
    const accept = (token: string, body: unknown, headers: Record<string, string> = {}, target = server) =>
      fetch(`${target.url}/api/invitations/${encodeURIComponent(token)}/accept`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

    it('mails a single-use link in plain text; accepting it creates the account, the membership and a session', async () => {
      const response = await invite(admin, { email: ' Invited.One@Example.test ', role: 'member' });
      assert.equal(response.status, 201);
      const created = await json(response);
      assert.equal(created.email, 'invited.one@example.test');
      assert.equal(created.role, 'member');
      assert.equal(created.mailed, true);
      assert.match(created.url, /^https:\/\/arkiv\.example\.test\/invite\/[A-Za-z0-9_-]{43}$/);
      const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
      assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);

      const mail = await smtp.nextMailTo('invited.one@example.test');
      assert.equal(mail.from?.value[0]?.address, 'arkiv@example.test');
      assert.match(mail.subject ?? '', /Test organisation/);
      assert.ok(mail.text?.includes(created.url), 'the plain-text part holds the whole link');

      const token = tokenOf(created.url);
      const stored = await server.ctx.db.selectFrom('invitations').select('token_hash').where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.equal(stored.token_hash, crypto.createHash('sha256').update(token).digest('hex'), 'only the SHA-256 of the token is stored');

      assert.deepEqual(await json(await preview(token)), { orgName: 'Test organisation', email: 'invited.one@example.test', role: 'member', accountExists: false });

      const accepted = await accept(token, { password: 'a password of my own' });
      assert.equal(accepted.status, 200);
      const account = await json(accepted);
      assert.equal(account.user.email, 'invited.one@example.test');
      assert.deepEqual(account.memberships.map((m: { orgId: string; role: string }) => [m.orgId, m.role]), [[server.orgId, 'member']]);
      const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: sessionCookieOf(accepted) } });
      assert.equal(me.status, 200);
      assert.equal((await json(me)).user.email, 'invited.one@example.test');
      const loggedIn = await login(server, { email: 'invited.one@example.test', password: 'a password of my own' });
      assert.ok(loggedIn.cookie);

      const again = await accept(token, { password: 'another password here' });
      assert.equal(again.status, 410);
      assert.equal((await json(again)).code, 'invitation_used');
      assert.equal((await preview(token)).status, 410);
    });

    it('answers 404 for unknown or malformed links and 410 for expired ones', async () => {
      for (const token of [crypto.randomBytes(32).toString('base64url'), 'x', '../../etc', '%00']) {
        const response = await preview(token);
        assert.equal(response.status, 404, token);
        assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        assert.equal((await accept(token, { password: 'whatever whatever' })).status, 404);
      }
      const created = await json(await invite(admin, { email: 'late@example.test', role: 'member' }));
      await server.ctx.db.updateTable('invitations').set({ expires_at: Date.now() - 1 }).where('id', '=', created.id).execute();
      const late = await accept(tokenOf(created.url), { password: 'a password of my own' });
      assert.equal(late.status, 410);
      assert.equal((await json(late)).code, 'invitation_expired');
      assert.equal((await server.ctx.db.selectFrom('users').select('id').where('email', '=', 'late@example.test').execute()).length, 0);
    });

    it('keeps the link usable when the chosen password is refused', async () => {
      const created = await json(await invite(admin, { email: 'short@example.test', role: 'member' }));
      const refused = await accept(tokenOf(created.url), { password: 'short' });
      assert.equal(refused.status, 400);
      assert.equal((await json(refused)).code, 'password_too_short');
      assert.equal((await accept(tokenOf(created.url), {})).status, 400);
      assert.equal((await accept(tokenOf(created.url), { password: 'long enough now, surely' })).status, 200);
    });

    it('lets only owners invite owners, and refuses members and current members', async () => {
      const asAdmin = await invite(admin, { email: 'would-be-owner@example.test', role: 'owner' });
      assert.equal(asAdmin.status, 403);
      assert.equal((await invite(owner, { email: 'new-owner@example.test', role: 'owner' })).status, 201);
      const member = await login(server, await addUser(server, 'member'));
      assert.equal((await invite(member, { email: 'someone@example.test', role: 'member' })).status, 403);
      const existing = await addUser(server, 'member');
      const already = await invite(admin, { email: existing.email, role: 'admin' });
      assert.equal(already.status, 409);
      assert.equal((await json(already)).code, 'already_member');
      assert.equal((await invite(admin, { email: 'not an email', role: 'member' })).status, 400);
    });

    it('adds an existing account after its own password, or its session, proves who accepts', async () => {
      const other = await server.addOrganization('Other organisation');
      const person = await addUser(server, 'member', other.orgId);
      const created = await json(await invite(admin, { email: person.email, role: 'admin' }));
      assert.equal((await json(await preview(tokenOf(created.url)))).accountExists, true);
      const wrong = await accept(tokenOf(created.url), { password: 'not the password at all' });
      assert.equal(wrong.status, 401);
      assert.equal((await json(wrong)).code, 'invalid_credentials');
      const right = await accept(tokenOf(created.url), { password: person.password });
      assert.equal(right.status, 200);
      const roles = (await json(right)).memberships.map((m: { orgId: string; role: string }) => `${m.orgId === server.orgId ? 'own' : 'other'}:${m.role}`);
      assert.deepEqual(roles.sort(), ['other:member', 'own:admin']);

      const signedIn = await addUser(server, null);
      const session = await login(server, signedIn);
      const second = await json(await invite(admin, { email: signedIn.email, role: 'member' }));
      const stranger = await login(server, await addUser(server, null));
      const wrongAccount = await accept(tokenOf(second.url), {}, stranger.headers());
      assert.equal(wrongAccount.status, 409);
      assert.equal((await json(wrongAccount)).code, 'wrong_account');
      const withSession = await accept(tokenOf(second.url), {}, session.headers());
      assert.equal(withSession.status, 200);
      assert.equal((await json(withSession)).csrfToken, session.csrfToken, 'the existing session goes on');
    });

    it('refuses an accept started by another site', async () => {
      const created = await json(await invite(admin, { email: 'csrf@example.test', role: 'member' }));
      const response = await accept(tokenOf(created.url), { password: 'a password of my own' }, { 'sec-fetch-site': 'cross-site' });
      assert.equal(response.status, 403);
      assert.equal((await json(response)).code, 'csrf_failed');
    });

    it('lists pending invitations and revokes them: a revoked link is unknown', async () => {
      const created = await json(await invite(admin, { email: 'revoked@example.test', role: 'member' }));
      const list = async () => (await json(await fetch(`${server.url}/api/orgs/${server.orgId}/invitations`, { headers: admin.headers() }))).invitations as Array<{ id: string; email: string }>;
      assert.ok((await list()).some((i) => i.id === created.id && i.email === 'revoked@example.test'));
      const revoke = () => fetch(`${server.url}/api/orgs/${server.orgId}/invitations/${created.id}`, { method: 'DELETE', headers: admin.headers(true) });
      assert.equal((await revoke()).status, 204);
      assert.equal((await revoke()).status, 404);
      assert.ok(!(await list()).some((i) => i.id === created.id));
      assert.equal((await preview(tokenOf(created.url))).status, 404);
    });

    it('without SMTP returns the link to the administrator, who hands it over', async () => {
      const noMailAdmin = await login(noMail, await addUser(noMail, 'admin'));
      const created = await json(await invite(noMailAdmin, { email: 'by-hand@example.test', role: 'member' }, noMail));
      assert.equal(created.mailed, false);
      assert.ok(created.url.startsWith(`${noMail.ctx.config.publicUrl}/invite/`));
      assert.equal((await accept(tokenOf(created.url), { password: 'a password of my own' }, {}, noMail)).status, 200);
      assert.ok(!smtp.messages.some((m) => m.text?.includes(created.url)));
    });
  });
}
