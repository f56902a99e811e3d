import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';

describe('audit log in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
  });
  after(async () => dash?.close());

  it('lists entries newest first, loads more, filters by action and exports the filtered log', async () => {
    const admin = { authorization: `Bearer ${dash.server.tokens.admin}`, 'content-type': 'application/json' };
    for (let i = 0; i < 55; i++) {
      const response = await fetch(`${dash.server.url}/api/orgs/${dash.server.orgId}/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: `audited ${i}`, scopes: ['read'] }) });
      assert.equal(response.status, 201);
    }
    const page = await dash.newPage();
    const user = await dash.user('admin');
    await dash.login(page, user);
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const table = page.getByRole('table', { name: 'Audit entries' });
    const rows = table.locator('tbody tr');
    // Newest first: this sign-in, then the tokens in reverse order of creation.
    assert.match(await rows.first().innerText(), new RegExp(`Signed in\\s+${user.email.replace(/[.]/g, '\\.')}`));
    assert.match(await rows.nth(1).innerText(), /Token created\s+Token [0-9a-f-]{36}\s+127\.0\.0\.1\s+name: audited 54; scopes: read; tokenId: [0-9a-f-]{36}/);
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('56 entries shown').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'nothing more to load');

    await page.getByLabel('Action').selectOption({ label: 'Signed in' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('1 entry shown').waitFor();
    assert.match(await rows.first().innerText(), /Signed in/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    assert.equal(csv[0], 'seq,at,action,actor_kind,actor_id,actor_label,address,details,prev_hash,hash');
    assert.equal(csv.length, 2);
    assert.match(csv[1]!, new RegExp(`^56,[^,]+,auth\\.login,user,${user.id},${user.email.replace(/[.]/g, '\\.')},127\\.0\\.0\\.1,`));
    await dash.screenshot(page, 'audit');
    assert.deepEqual(dash.browserProblems, []);
  });

  it('is not offered to Members, and refuses them when they open it directly', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    assert.equal(await page.getByRole('link', { name: 'Audit', exact: true }).count(), 0);
    await page.goto(`${dash.server.url}/orgs/${dash.server.orgId}/audit`);
    await page.getByText(`can open the audit log`).waitFor();
  });
});
