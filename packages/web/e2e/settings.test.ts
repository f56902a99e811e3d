import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';

describe('organisation settings in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
  });
  after(async () => dash?.close());

  const list = (token?: string) =>
    fetch(`${dash.server.url}/security/report/list?org=${dash.server.orgId}&minver=0`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('creates an API token shown once, which works until it is revoked', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const tokens = page.getByRole('region', { name: 'API tokens' });
    await tokens.getByLabel('Token name').fill('CI pipeline');
    await tokens.getByLabel('read').check();
    await tokens.getByRole('button', { name: 'Create token' }).click();
    const token = await tokens.getByLabel('New token').inputValue();
    assert.equal((await list(token)).status, 200);
    await tokens.getByRole('button', { name: 'Done' }).click();
    assert.equal(await tokens.getByLabel('New token').count(), 0, 'the token is not shown again');

    const row = tokens.getByRole('row', { name: /CI pipeline/ });
    assert.match(await row.innerText(), /read, upload/, 'scopes in their canonical order');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke CI pipeline' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await list(token)).status, 401);
  });

  it('shows the archive signing key with its fingerprint and a copy button, matching the published JWKS', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Archive signing key' });
    const x = await panel.getByRole('textbox', { name: 'Public key (base64url)' }).inputValue();
    const jwks = (await (await fetch(`${dash.server.url}/.well-known/jwks.json?org=${dash.server.orgId}`)).json()) as { keys: Array<{ x: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.x), [x]);
    // The fingerprint is the SHA-256 of the raw key, computed here independently.
    const expected = crypto.createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex').match(/.{4}/g)!.join(':');
    assert.equal(await panel.getByLabel('Fingerprint').innerText(), expected);
    await panel.getByRole('button', { name: 'Copy public key (base64url)' }).click();
    await panel.getByText('Public key copied to the clipboard').waitFor();
  });

  it('renames the organisation and requires a read token, both effective on the API', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('owner'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Renamed organisation');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Name saved').waitFor();
    // The switcher shows the new name without a reload.
    await page.getByRole('combobox', { name: 'Organisation' }).getByText('Renamed organisation').waitFor({ state: 'attached' });

    assert.equal((await list()).status, 200);
    await page.getByLabel('Require an API token to list and download reports').check();
    await page.getByText('The read API now requires a token').waitFor();
    assert.equal((await list()).status, 401);
    assert.equal((await list(dash.server.tokens.read)).status, 200);
    await page.getByLabel('Require an API token to list and download reports').uncheck();
    await page.getByText('The read API is open to anyone with the organisation ID').waitFor();
    assert.equal((await list()).status, 200);
  });

  it('invites a colleague, who opens the link, chooses a password and is signed in; then changes the role and removes them', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const members = page.getByRole('region', { name: 'Members' });
    // An Administrator cannot hand out the Owner role; only Owners manage Owners.
    assert.deepEqual(await members.getByLabel('Role', { exact: true }).locator('option').allInnerTexts(), ['Member', 'Administrator']);
    await members.getByLabel('Email to invite').fill('new.colleague@example.test');
    await members.getByRole('button', { name: 'Invite' }).click();
    await members.getByText(/No mail is configured: hand them the link below/).waitFor();
    const link = await members.getByRole('textbox', { name: 'Invitation link' }).inputValue();
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{43}$/);
    assert.match(await members.getByRole('table', { name: 'Pending invitations' }).innerText(), /new\.colleague@example\.test/);

    const colleague = await dash.newPage();
    await colleague.goto(`${dash.server.url}${new URL(link).pathname}`);
    await colleague.getByRole('heading', { name: /^Join / }).waitFor();
    await colleague.getByLabel('Choose a password (12 characters or more)').fill('my own password, chosen by me');
    await colleague.getByRole('button', { name: 'Accept and sign in' }).click();
    await colleague.getByRole('link', { name: 'Reports', exact: true }).waitFor();
    assert.equal(await colleague.getByRole('link', { name: 'Settings', exact: true }).count(), 0);
    await colleague.reload();
    await colleague.getByRole('link', { name: 'Reports', exact: true }).waitFor();

    await page.reload();
    await members.getByLabel('Role of new.colleague@example.test').waitFor();
    assert.equal(await members.getByRole('table', { name: 'Pending invitations' }).count(), 0, 'the used invitation is no longer pending');
    await members.getByLabel('Role of new.colleague@example.test').selectOption('admin');
    await members.getByText('new.colleague@example.test is now Administrator.').waitFor();
    await colleague.reload();
    await colleague.getByRole('link', { name: 'Settings', exact: true }).waitFor();

    const row = members.getByRole('row', { name: /new\.colleague@example\.test/ });
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: 'Remove new.colleague@example.test' }).click();
    await row.waitFor({ state: 'detached' });
    await colleague.reload();
    await colleague.getByRole('heading', { name: 'No organisation yet' }).waitFor();
  });

  it('ran every screen without a CSP violation or script error', () => {
    assert.deepEqual(dash.browserProblems, []);
  });
});
