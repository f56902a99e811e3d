import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';

/** Codes as an authenticator app computes them; `offsetSteps` picks a later 30-second step (each code works once). */
const codeFor = (secret: string, offsetSteps = 0) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + offsetSteps * 30_000 });

/** Turns TOTP on for a user through the API (as the Account page does); the secret. */
async function enrolViaApi(url: string, user: { email: string; password: string }): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
  const { secret } = (await (await fetch(`${url}/api/auth/mfa/totp`, { method: 'POST', headers, body: '{}' })).json()) as { secret: string };
  const confirmed = await fetch(`${url}/api/auth/mfa/totp/confirm`, { method: 'POST', headers, body: JSON.stringify({ code: codeFor(secret) }) });
  assert.equal(confirmed.status, 200);
  return secret;
}

describe('two-factor authentication in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
  });
  after(async () => dash?.close());

  it('enrols TOTP from the QR code page, signs out, and signs in with password and code', async () => {
    const user = await dash.newUser('member');
    const page = await dash.newPage();
    await dash.login(page, user);
    await page.getByRole('link', { name: user.email }).click();
    const section = page.getByRole('region', { name: 'Two-factor authentication' });
    await section.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const qr = section.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await qr.waitFor();
    assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    const secret = await section.getByLabel('Secret').innerText();
    await section.getByLabel('Code from the app').fill(codeFor(secret));
    await section.getByRole('button', { name: 'Turn on' }).click();
    const codes = await section.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
    assert.equal(codes.length, 10);
    await dash.screenshot(page, 'totp-recovery-codes');
    await section.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    assert.equal(await section.getByRole('list', { name: 'Recovery codes' }).count(), 0, 'the codes are shown once');
    await section.getByRole('button', { name: 'Turn off two-factor authentication' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // A wrong code is refused and the form stays; the next step's code (the confirming one is used) signs in.
    await page.getByLabel('Authentication code').fill(codeFor(secret, 5));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('The code is wrong, expired or was used already').waitFor();
    await page.getByLabel('Authentication code').fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();

    // And once more with a recovery code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    assert.deepEqual(dash.browserProblems, []);
  });

  it('sends a member of an organisation that requires it to enrol, and the owner switches it in Settings', async () => {
    const owner = await dash.newUser('owner');
    const page = await dash.newPage();
    await dash.login(page, owner);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const policy = page.getByRole('region', { name: 'Two-factor authentication' });
    const toggle = policy.getByLabel('Require two-factor authentication of every member');
    // Without a second factor of their own, the owner cannot require it (they would be locked out).
    await toggle.click();
    await policy.getByText('Turn on TOTP for your own account before requiring it of the organisation').waitFor();
    assert.equal(await toggle.isChecked(), false);

    // The owner enrols through the API with the browser's session, then switches it on.
    const session = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
    const call = (method: string, path: string, body?: unknown) =>
      page.evaluate(
        async ([m, p, b, csrf]) => (await fetch(p as string, { method: m as string, headers: { 'content-type': 'application/json', 'x-csrf-token': csrf as string }, body: b === undefined ? null : JSON.stringify(b) })).json(),
        [method, path, body, session.csrfToken] as const,
      );
    const { secret } = await call('POST', '/api/auth/mfa/totp', {});
    await call('POST', '/api/auth/mfa/totp/confirm', { code: codeFor(secret) });
    await page.reload();
    await toggle.click();
    await policy.getByText('Members now need two-factor authentication').waitFor();

    const member = await dash.newUser('member');
    const memberPage = await dash.newPage();
    await memberPage.goto(dash.server.url);
    await memberPage.getByLabel('Email').fill(member.email);
    await memberPage.getByLabel('Password').fill(member.password);
    await memberPage.getByRole('button', { name: 'Sign in' }).click();
    await memberPage.getByRole('heading', { name: 'Two-factor authentication required' }).waitFor();
    await memberPage.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await memberPage.getByRole('heading', { name: 'Account', exact: true }).waitFor();
    await memberPage.getByRole('region', { name: 'Two-factor authentication' }).getByRole('button', { name: 'Set up two-factor authentication' }).waitFor();

    await toggle.click();
    await policy.getByText('Two-factor authentication is now optional').waitFor();
    assert.deepEqual(dash.browserProblems, []);
  });

  it('accepts an invitation for an account with TOTP on: password, then code, then joined', async () => {
    const user = await dash.newUser('member');
    const secret = await enrolViaApi(dash.server.url, user);
    const other = await dash.server.addOrganization('Second organisation');
    const invited = await fetch(`${dash.server.url}/api/orgs/${other.orgId}/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, role: 'member' }),
    });
    assert.equal(invited.status, 201);
    const token = ((await invited.json()) as { url: string }).url.split('/invite/')[1]!;
    const page = await dash.newPage();
    await page.goto(`${dash.server.url}/invite/${token}`);
    await page.getByLabel('Password of your account').fill(user.password);
    await page.getByRole('button', { name: 'Accept and sign in' }).click();
    await page.getByLabel('Authentication code').fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.getByRole('combobox', { name: 'Organisation' }).getByText('Second organisation').waitFor({ state: 'attached' });
    assert.deepEqual(dash.browserProblems, []);
  });
});
