import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestSmtpServer, type TestSmtpServer } from '../mail/smtp-test-helpers.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, login, postLogin } from './account-test-helpers.js';
import { THROTTLE } from './login-throttle.js';
import { createUser } from './users.js';

const PUBLIC_URL = 'https://arkiv.example.test';

for (const dialect of testDialects) {
  describe(`password reset (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let server: TestServer;
    before(async () => {
      smtp = await startTestSmtpServer();
      server = await startTestServer(dialect, { ARKIV_PUBLIC_URL: PUBLIC_URL, ARKIV_SMTP_URL: smtp.url, ARKIV_MAIL_FROM: 'arkiv@example.test' });
    });
    after(async () => {
      await server.stop();
      await smtp.close();
    });

    const requestReset = (email: string) =>
      fetch(`${server.url}/api/auth/password-reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const reset = (token: string, newPassword: string) =>
      fetch(`${server.url}/api/auth/password-reset/${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ newPassword }) });
    const linkIn = (text: string | undefined) => {
      const match = /https:\/\/arkiv\.example\.test\/reset\/([A-Za-z0-9_-]{43})/.exec(text ?? '');
      assert.ok(match, `no reset link in: ${text}`);
      return match[1]!;
    };

    it('mails a one-hour, single-use link that sets the password and ends every session', async () => {
      const email = 'forgetful@example.test';
      await createUser(server.ctx.db, { email, password: 'password the admin chose', now: Date.now(), passwordKnownToOrg: server.orgId });
      const sessions = [await login(server, { email, password: 'password the admin chose' }), await login(server, { email, password: 'password the admin chose' })];
      const asked = await requestReset(' Forgetful@Example.test ');
      assert.equal(asked.status, 202);
      const mail = await smtp.nextMailTo(email);
      assert.equal(mail.html, false, 'plain text only');
      const token = linkIn(mail.text);
      const row = await server.ctx.db.selectFrom('password_resets').selectAll().where('token_hash', '=', crypto.createHash('sha256').update(token).digest('hex')).executeTakeFirstOrThrow();
      assert.equal(Number(row.expires_at) - Number(row.created_at), 60 * 60 * 1000);

      const short = await reset(token, 'short');
      assert.equal(short.status, 400);
      assert.equal((await json(short)).code, 'password_too_short');
      assert.equal((await reset(token, 'my very own new password')).status, 204);
      for (const session of sessions) assert.equal((await fetch(`${server.url}/api/auth/me`, { headers: session.headers() })).status, 401);
      assert.equal((await postLogin(server, email, 'password the admin chose')).status, 401);
      assert.equal((await postLogin(server, email, 'my very own new password')).status, 200);
      const user = await server.ctx.db.selectFrom('users').select('password_known_to_org').where('email', '=', email).executeTakeFirstOrThrow();
      assert.equal(user.password_known_to_org, null, 'no organisation knows the new password');

      const again = await reset(token, 'yet another new password');
      assert.equal(again.status, 404, 'a used link is forgotten with the others of the account');
    });

    it('answers 202 for an unknown email and mails nothing, stores nothing', async () => {
      const before = (await server.ctx.db.selectFrom('password_resets').select('token_hash').execute()).length;
      assert.equal((await requestReset('nobody-here@example.test')).status, 202);
      const known = await addUser(server, 'member');
      assert.equal((await requestReset(known.email)).status, 202);
      await smtp.nextMailTo(known.email);
      assert.ok(!smtp.messages.some((m) => JSON.stringify(m.to).includes('nobody-here@example.test')));
      assert.equal((await server.ctx.db.selectFrom('password_resets').select('token_hash').execute()).length, before + 1);
    });

    it('refuses used and expired links with 410, unknown and malformed ones with 404', async () => {
      const person = await addUser(server, 'member');
      await requestReset(person.email);
      await requestReset(person.email);
      // Mail goes out after the answer: wait for both.
      const mailsTo = () => smtp.messages.filter((m) => JSON.stringify(m.to).includes(person.email));
      for (let i = 0; i < 100 && mailsTo().length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      const tokens = mailsTo();
      assert.equal(tokens.length, 2);
      const [first, second] = tokens.map((m) => linkIn(m.text));
      await server.ctx.db.updateTable('password_resets').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', crypto.createHash('sha256').update(first!).digest('hex')).execute();
      const expired = await reset(first!, 'a long enough password');
      assert.equal(expired.status, 410);
      assert.equal((await json(expired)).code, 'reset_link_expired');
      await server.ctx.db.updateTable('password_resets').set({ used_at: Date.now() }).where('token_hash', '=', crypto.createHash('sha256').update(second!).digest('hex')).execute();
      const used = await reset(second!, 'a long enough password');
      assert.equal(used.status, 410);
      assert.equal((await json(used)).code, 'reset_link_used');
      for (const token of [crypto.randomBytes(32).toString('base64url'), 'x', '..%2F..']) assert.equal((await reset(token, 'a long enough password')).status, 404, token);
      assert.equal((await postLogin(server, person.email, person.password)).status, 200, 'the password is unchanged');
    });

    it('refuses resets from another site', async () => {
      const response = await fetch(`${server.url}/api/auth/password-reset`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
        body: JSON.stringify({ email: 'someone@example.test' }),
      });
      assert.equal(response.status, 403);
    });

    // Last: it locks this client address.
    it('counts requests against the address like failed logins, then answers 429 with Retry-After', async () => {
      let status = 202;
      for (let i = 0; i <= THROTTLE.address.limit && status === 202; i += 1) status = (await requestReset(`flood-${i}@example.test`)).status;
      const locked = await requestReset('flood@example.test');
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get('retry-after')) > 0);
      assert.equal((await reset(crypto.randomBytes(32).toString('base64url'), 'a long enough password')).status, 429);
    });
  });
}
