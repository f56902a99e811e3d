import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Secret, TOTP, URI } from 'otpauth';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, postLogin, sessionCookieOf, type LoggedIn, type TestUser } from './account-test-helpers.js';
import { createInvitation } from './invitations.js';
import { createMfaChallenge } from './mfa-store.js';
import { createSession } from './sessions.js';
import { THROTTLE } from './login-throttle.js';
import { resetUserMfa } from './user-admin.js';

const STEP_MS = 30_000;

for (const dialect of testDialects) {
  describe(`TOTP second factor (${dialect})`, () => {
    let server: TestServer;
    // The clock is the test's: which 30-second step a code belongs to must not depend on when the test runs.
    let now = 0;
    before(async () => {
      server = await startTestServer(dialect, { ARKIV_TRUST_PROXY: 'loopback' });
      server.ctx.now = () => now;
    });
    after(() => server.stop());
    beforeEach(() => {
      // The middle of a step, a different one for each test.
      now = Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2 + 3_600_000 * ++tests;
    });
    let tests = 0;
    // Each test speaks from its own address, so no test's failures throttle another's.
    let addresses = 0;
    let address = '';
    beforeEach(() => {
      address = `198.51.100.${++addresses}`;
    });
    const from = () => ({ 'x-forwarded-for': address });

    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...from(), ...headers }, body: JSON.stringify(body) });
    const send = (method: string, path: string, session: LoggedIn, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { ...session.headers(method !== 'GET'), ...from(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const codeAt = (secret: string, timestamp: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp });

    /**
     * A session made directly, as a login would make it. Password logins are what the tests of the
     * password step use; elsewhere they would only add scrypt runs.
     */
    async function sessionOf(user: TestUser): Promise<LoggedIn> {
      const { token, csrfToken } = await createSession(server.ctx.db, user.id, now);
      const cookie = `arkiv_session=${token}`;
      return { cookie, csrfToken, headers: (write = false) => ({ cookie, ...(write ? { 'x-csrf-token': csrfToken } : {}) }) };
    }
    /** The state a right password leaves behind (as passwordStep checks): a login waiting for its second factor. */
    const challenge = (user: TestUser) => createMfaChallenge(server.ctx.db, user.id, now);

    /** Enrols the user's TOTP through the API; the secret and the recovery codes. */
    async function enrol(user: TestUser): Promise<{ secret: string; recoveryCodes: string[]; session: LoggedIn }> {
      const session = await sessionOf(user);
      const started = await send('POST', '/api/auth/mfa/totp', session);
      assert.equal(started.status, 200);
      const { secret } = await json(started);
      const confirmed = await send('POST', '/api/auth/mfa/totp/confirm', session, { code: codeAt(secret, now) });
      assert.equal(confirmed.status, 200);
      const { recoveryCodes } = await json(confirmed);
      // The confirming code's step is used: the next code must come from a later one.
      now += STEP_MS;
      return { secret, recoveryCodes, session };
    }

    /** The password step of a login with TOTP on: its mfaToken. */
    async function passwordStep(user: TestUser): Promise<string> {
      const response = await postLogin(server, user.email, user.password, from());
      assert.equal(response.status, 401);
      assert.equal(response.headers.getSetCookie().length, 0, 'no session before the second factor');
      const body = await json(response);
      assert.equal(body.code, 'mfa_required');
      assert.match(body.mfaToken, /^[A-Za-z0-9_-]{43}$/);
      return body.mfaToken;
    }

    const secondStep = (mfaToken: string, proof: { code?: string; recoveryCode?: string }) => post('/api/auth/login/mfa', { mfaToken, ...proof });

    it('enrols: a pending secret with its otpauth URI, confirmed by a code; the secret sealed, recovery codes hashed', async () => {
      const user = await addUser(server, 'member');
      const session = await sessionOf(user);
      const started = await json(await send('POST', '/api/auth/mfa/totp', session));
      const parsed = URI.parse(started.otpauthUrl) as TOTP;
      assert.ok(parsed instanceof TOTP);
      assert.equal(parsed.issuer, 'Arkiv');
      assert.equal(parsed.label, user.email);
      assert.equal(parsed.secret.base32, started.secret);
      assert.equal(parsed.secret.bytes.length, 20);
      // Pending: the login still needs only the password, and /me says TOTP is off.
      assert.equal((await json(await send('GET', '/api/auth/me', session))).user.totpEnabled, false);
      assert.equal((await postLogin(server, user.email, user.password, from())).status, 200);
      // A wrong first code turns nothing on.
      const wrong = await send('POST', '/api/auth/mfa/totp/confirm', session, { code: codeAt(started.secret, now + 5 * STEP_MS) });
      assert.equal(wrong.status, 403);
      assert.equal((await json(wrong)).code, 'invalid_mfa_code');
      const confirmed = await send('POST', '/api/auth/mfa/totp/confirm', session, { code: codeAt(started.secret, now) });
      assert.equal(confirmed.status, 200);
      const { recoveryCodes } = await json(confirmed);
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);
      for (const code of recoveryCodes) assert.match(code, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
      assert.equal((await json(await send('GET', '/api/auth/me', session))).user.totpEnabled, true);
      // At rest: neither the secret nor any recovery code appears in the database as such.
      const stored = JSON.stringify([
        await server.ctx.db.selectFrom('user_totp').selectAll().where('user_id', '=', user.id).execute(),
        await server.ctx.db.selectFrom('mfa_recovery_codes').selectAll().where('user_id', '=', user.id).execute(),
      ]);
      assert.ok(!stored.includes(started.secret) && !stored.includes(started.secret.toLowerCase()));
      for (const code of recoveryCodes) assert.ok(!stored.includes(code) && !stored.includes(code.replace(/-/g, '')));
      // Once on, a new enrolment and a second confirmation are refused.
      assert.equal((await json(await send('POST', '/api/auth/mfa/totp', session))).code, 'totp_already_enabled');
      assert.equal((await json(await send('POST', '/api/auth/mfa/totp/confirm', session, { code: codeAt(started.secret, now) }))).code, 'totp_not_pending');
    });

    it('signs in with password then code; the same code is never accepted twice', async () => {
      const user = await addUser(server, 'member');
      const { secret } = await enrol(user);
      const code = codeAt(secret, now);
      const response = await secondStep(await passwordStep(user), { code });
      assert.equal(response.status, 200);
      const body = await json(response);
      assert.equal(body.user.email, user.email);
      assert.equal(body.user.totpEnabled, true);
      const cookie = sessionCookieOf(response);
      assert.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie } })).status, 200);
      // Replayed in a new login, within the same step and in the next one.
      const replay = await secondStep(await challenge(user), { code });
      assert.equal(replay.status, 401);
      assert.equal((await json(replay)).code, 'invalid_mfa_code');
      now += STEP_MS;
      assert.equal((await secondStep(await challenge(user), { code })).status, 401);
      // The next step's code works.
      assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now) })).status, 200);
    });

    it('accepts a code one step either side of now and no further', async () => {
      const user = await addUser(server, 'member');
      const { secret } = await enrol(user);
      now += 10 * STEP_MS;
      for (const offset of [-2, 2, 5]) {
        const refused = await secondStep(await challenge(user), { code: codeAt(secret, now + offset * STEP_MS) });
        assert.equal(refused.status, 401, `a code ${offset} steps away is refused`);
      }
      assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now - STEP_MS) })).status, 200, 'one step behind');
      assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now + STEP_MS) })).status, 200, 'one step ahead');
      // After the step ahead was used, the current step's code is older: refused.
      assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now) })).status, 401);
    });

    it('takes each recovery code once, typed in any case and grouping', async () => {
      const user = await addUser(server, 'member');
      const { recoveryCodes } = await enrol(user);
      const typed = recoveryCodes[3]!.toUpperCase().replace(/-/g, ' ');
      assert.equal((await secondStep(await challenge(user), { recoveryCode: typed })).status, 200);
      const again = await secondStep(await challenge(user), { recoveryCode: recoveryCodes[3]! });
      assert.equal(again.status, 401);
      assert.equal((await json(again)).code, 'invalid_mfa_code');
      // Another user's code is no code of this user's.
      const other = await addUser(server, 'member');
      const theirs = await enrol(other);
      assert.equal((await secondStep(await challenge(user), { recoveryCode: theirs.recoveryCodes[0]! })).status, 401);
      assert.equal((await secondStep(await challenge(user), { recoveryCode: recoveryCodes[4]! })).status, 200);
    });

    it('lets an mfaToken serve one login within 5 minutes, and needs exactly one proof', async () => {
      const user = await addUser(server, 'member');
      const { secret } = await enrol(user);
      const token = await challenge(user);
      assert.equal((await secondStep(token, {})).status, 400);
      assert.equal((await secondStep(token, { code: codeAt(secret, now), recoveryCode: 'aaaa-bbbb-cccc-dddd' })).status, 400);
      // A wrong code leaves the token usable; a right one uses it up.
      assert.equal((await secondStep(token, { code: codeAt(secret, now + 9 * STEP_MS) })).status, 401);
      assert.equal((await secondStep(token, { code: codeAt(secret, now) })).status, 200);
      now += STEP_MS;
      const used = await secondStep(token, { code: codeAt(secret, now) });
      assert.equal(used.status, 401);
      assert.equal((await json(used)).code, 'mfa_token_invalid');
      // Expired: five minutes later, even with a good code.
      const late = await challenge(user);
      now += 5 * 60_000;
      const expired = await secondStep(late, { code: codeAt(secret, now) });
      assert.equal(expired.status, 401);
      assert.equal((await json(expired)).code, 'mfa_token_invalid');
      assert.equal((await json(await secondStep('x'.repeat(43), { code: '123456' }))).code, 'mfa_token_invalid');
      // A password change ends the logins its old password started.
      const pending = await challenge(user);
      const session = await sessionOf(user);
      const changed = await send('POST', '/api/auth/password', session, { currentPassword: user.password, newPassword: 'a brand new password' });
      assert.equal(changed.status, 204);
      assert.equal((await json(await secondStep(pending, { code: codeAt(secret, now + STEP_MS) }))).code, 'mfa_token_invalid');
    });

    it('throttles wrong codes like logins: the pair locks, and the user across addresses', async () => {
      const user = await addUser(server, 'member');
      const { secret } = await enrol(user);
      const token = await passwordStep(user);
      for (let i = 0; i < THROTTLE.pair.limit; i += 1) assert.equal((await secondStep(token, { code: codeAt(secret, now + (10 + i) * STEP_MS) })).status, 401);
      const locked = await secondStep(token, { code: codeAt(secret, now) });
      assert.equal(locked.status, 429);
      assert.equal((await json(locked)).code, 'too_many_attempts');
      // The password step is locked too, for this email from this address: a right password then tells nothing new.
      assert.equal((await postLogin(server, user.email, user.password, from())).status, 429);
      // From other addresses, the user's own second-factor limit still holds.
      for (let i = 0; i < THROTTLE.mfa.limit - THROTTLE.pair.limit; i += 1) {
        address = `203.0.113.${i + 1}`;
        assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now + (20 + i) * STEP_MS) })).status, 401);
      }
      address = '203.0.113.200';
      assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now) })).status, 429);
      now += THROTTLE.mfa.lockMs;
      assert.equal((await secondStep(await challenge(user), { code: codeAt(secret, now) })).status, 200);
    });

    it('turns off with a code or a recovery code, never a wrong one; then the password alone signs in', async () => {
      const user = await addUser(server, 'member');
      const { secret, session, recoveryCodes } = await enrol(user);
      const wrong = await send('DELETE', '/api/auth/mfa/totp', session, { code: codeAt(secret, now + 7 * STEP_MS) });
      assert.equal(wrong.status, 403);
      assert.equal((await json(wrong)).code, 'invalid_mfa_code');
      assert.equal((await send('DELETE', '/api/auth/mfa/totp', session, {})).status, 400);
      assert.equal((await send('DELETE', '/api/auth/mfa/totp', session, { code: codeAt(secret, now) })).status, 204);
      assert.equal((await json(await send('DELETE', '/api/auth/mfa/totp', session, { code: codeAt(secret, now) }))).code, 'totp_not_enabled');
      assert.equal((await postLogin(server, user.email, user.password, from())).status, 200);
      const left = await server.ctx.db.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
      assert.equal(left.length, 0);
      // With a recovery code, after enrolling again.
      const again = await enrol(user);
      assert.notDeepEqual(again.recoveryCodes, recoveryCodes);
      assert.equal((await send('DELETE', '/api/auth/mfa/totp', again.session, { recoveryCode: again.recoveryCodes[0] })).status, 204);
    });

    it('requireMfa: members without TOTP are refused the organisation until they enrol; tokens are not', async () => {
      const { orgId, adminToken } = await server.addOrganization(`Strict ${dialect}`);
      const owner = await addUser(server, 'owner', orgId);
      const member = await addUser(server, 'admin', orgId);
      const ownerSession = await sessionOf(owner);
      // Turning it on needs the caller's own second factor.
      const early = await send('PUT', `/api/orgs/${orgId}/mfa-policy`, ownerSession, { requireMfa: true });
      assert.equal(early.status, 403);
      assert.equal((await json(early)).code, 'mfa_enrolment_required');
      const { session: ownerWithTotp } = await enrol(owner);
      const set = await send('PUT', `/api/orgs/${orgId}/mfa-policy`, ownerWithTotp, { requireMfa: true });
      assert.equal(set.status, 200);
      assert.deepEqual(await json(set), { requireMfa: true });
      assert.deepEqual(await json(await send('GET', `/api/orgs/${orgId}/mfa-policy`, ownerWithTotp)), { requireMfa: true });
      // The member without TOTP: signed in, shown the membership and the policy, refused the data.
      const memberSession = await sessionOf(member);
      const me = await json(await send('GET', '/api/auth/me', memberSession));
      assert.deepEqual(me.memberships.find((m: any) => m.orgId === orgId), { orgId, orgName: `Strict ${dialect}`, role: 'admin', requireMfa: true });
      for (const path of [`/api/orgs/${orgId}/members`, `/api/orgs/${orgId}/tokens`, `/api/orgs/${orgId}`]) {
        const refused = await send('GET', path, memberSession);
        assert.equal(refused.status, 403, path);
        assert.equal((await json(refused)).code, 'mfa_enrolment_required');
      }
      assert.equal((await fetch(`${server.url}/api/orgs/${orgId}/members`, { headers: { authorization: `Bearer ${adminToken}` } })).status, 200);
      // Another organisation of the same member is not affected.
      assert.equal((await send('GET', `/api/orgs/${server.orgId}/members`, await sessionOf(await addUser(server, 'admin')))).status, 200);
      // Enrolling lets the member in at once, in the same session.
      await send('POST', '/api/auth/mfa/totp', memberSession).then(async (r) => {
        const { secret } = await json(r);
        assert.equal((await send('POST', '/api/auth/mfa/totp/confirm', memberSession, { code: codeAt(secret, now) })).status, 200);
      });
      assert.equal((await send('GET', `/api/orgs/${orgId}/members`, memberSession)).status, 200);
      // Turned off again, the rule goes with it.
      assert.equal((await send('PUT', `/api/orgs/${orgId}/mfa-policy`, ownerWithTotp, { requireMfa: false })).status, 200);
      assert.equal((await json(await send('GET', `/api/orgs/${orgId}/mfa-policy`, ownerWithTotp))).requireMfa, false);
    });

    it('does not let an invitation sign in an account with TOTP on by its password alone', async () => {
      const user = await addUser(server, null);
      await enrol(user);
      const { token } = await createInvitation(server.ctx.db, { orgId: server.orgId, email: user.email, role: 'member', createdBy: null, now });
      const response = await post(`/api/invitations/${token}/accept`, { password: user.password });
      assert.equal(response.status, 401);
      assert.equal(response.headers.getSetCookie().length, 0);
      const body = await json(response);
      assert.equal(body.code, 'mfa_required');
      assert.match(body.mfaToken, /^[A-Za-z0-9_-]{43}$/);
      const memberships = await server.ctx.db.selectFrom('memberships').select('org_id').where('user_id', '=', user.id).execute();
      assert.equal(memberships.length, 0, 'the invitation is still unused');
    });

    it('arkiv user reset-mfa turns TOTP off for a lost device and ends the sessions', async () => {
      const user = await addUser(server, 'member');
      const { session } = await enrol(user);
      const reset = await resetUserMfa(server.ctx.db, { email: user.email.toUpperCase() });
      assert.deepEqual(reset, { userId: user.id, email: user.email, totpWasOn: true, sessionsEnded: 1 });
      assert.equal((await send('GET', '/api/auth/me', session)).status, 401);
      assert.equal((await postLogin(server, user.email, user.password, from())).status, 200);
      await assert.rejects(resetUserMfa(server.ctx.db, { email: 'nobody@example.test' }), /no user with email/);
    });
  });
}
