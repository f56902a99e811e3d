import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serverModules } from './server.ts';
import { skipWithoutChromium } from './chromium.ts';
import type { Page } from 'playwright-core';
import { startDashboard, type Dashboard } from './harness.ts';

const { addMembership } = await serverModules();

/** Elements sticking out of the viewport (empty when the page fits); a string expression, so no bundler helpers leak into the page. */
const widerThanViewport = (page: Page) =>
  page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-scroll'))
    .map((e) => e.tagName.toLowerCase() + '.' + e.className + ' right=' + Math.round(e.getBoundingClientRect().right))
    .join('; ')`) as Promise<string>;

describe('dashboard in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
  });
  after(async () => dash?.close());

  it('logs an Owner in and shows every section', async () => {
    const page = await dash.newPage();
    await page.goto(dash.server.url);
    await page.getByLabel('Password').waitFor();
    await dash.screenshot(page, 'login');
    await page.getByLabel('Email').fill('nobody@example.test');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /\S/);

    await dash.login(page, await dash.user('owner'));
    assert.equal(new URL(page.url()).pathname, `/orgs/${dash.server.orgId}/reports`);
    for (const name of ['Reports', 'Webhooks', 'Settings']) assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, name);
    await page.getByText('No reports match these filters.').waitFor();
  });

  it('copies the organisation ID to the clipboard with feedback', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('owner'));
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Copy ID' }).click();
    await page.getByText('Organisation ID copied to the clipboard').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), dash.server.orgId);
    await dash.screenshot(page, 'settings');
  });

  it('hides Settings and Webhooks from a Member, and the API refuses them', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    assert.equal(await page.getByRole('link', { name: 'Reports', exact: true }).count(), 1);
    assert.equal(await page.getByRole('link', { name: 'Settings', exact: true }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Webhooks', exact: true }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Upload a report' }).count(), 0);

    await page.goto(`${dash.server.url}/orgs/${dash.server.orgId}/settings`);
    await page.getByRole('heading', { name: 'Not permitted' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Copy ID' }).count(), 0);
    // The browser's own session cookie, straight at the API: refused whatever the UI shows.
    const statuses: number[] = [];
    for (const path of ['', '/members', '/tokens', '/webhooks']) {
      statuses.push((await page.request.get(`${dash.server.url}/api/orgs/${dash.server.orgId}${path}`)).status());
    }
    const patch = await page.request.patch(`${dash.server.url}/api/orgs/${dash.server.orgId}`, { data: { name: 'taken over' } });
    assert.ok([403, 401].includes(patch.status()), `PATCH answered ${patch.status()}`);
    assert.deepEqual(statuses, [403, 403, 403, 403]);
  });

  it('changes the password, which then signs in', async () => {
    const user = await dash.newUser('member');
    const page = await dash.newPage();
    await dash.login(page, user);
    await page.getByRole('link', { name: user.email }).click();
    const form = page.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill(user.password);
    await form.getByLabel('New password', { exact: true }).fill('short');
    await form.getByLabel('Repeat new password').fill('short');
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('At least 12 characters').waitFor();
    await form.getByLabel('Current password').fill('not my password');
    await form.getByLabel('New password', { exact: true }).fill('a much longer new password');
    await form.getByLabel('Repeat new password').fill('a much longer new password');
    await form.getByRole('button', { name: 'Change password' }).click();
    // The server's refusal, as a readable sentence from its problem+json.
    await form.getByRole('alert').waitFor();
    await form.getByLabel('Current password').fill(user.password);
    await form.getByRole('button', { name: 'Change password' }).click();
    await form.getByText('Password changed.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await dash.login(page, { ...user, password: 'a much longer new password' });
  });

  it('deletes the own account after the password and a confirmation, landing on the sign-in page', async () => {
    const user = await dash.newUser('member');
    const page = await dash.newPage();
    await dash.login(page, user);
    await page.getByRole('link', { name: user.email }).click();
    const section = page.getByRole('region', { name: 'Delete my account' });
    await section.getByLabel('Password to confirm').fill('not my password');
    await section.getByRole('button', { name: 'Delete my account' }).click();
    await section.getByRole('button', { name: 'Yes, delete my account' }).click();
    await section.getByRole('alert').waitFor();
    assert.equal((await page.request.get(`${dash.server.url}/api/auth/me`)).status(), 200, 'a wrong password deletes nothing');
    await section.getByLabel('Password to confirm').fill(user.password);
    await section.getByRole('button', { name: 'Delete my account' }).click();
    await section.getByRole('button', { name: 'Yes, delete my account' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal((await page.request.get(`${dash.server.url}/api/auth/me`)).status(), 401);
    const again = await page.request.post(`${dash.server.url}/api/auth/login`, { data: { email: user.email, password: user.password } });
    assert.equal(again.status(), 401);
  });

  it('lists the sessions on the Account page and signs out another one', async () => {
    const user = await dash.newUser('member');
    const laptop = await dash.newPage();
    const phone = await dash.newPage();
    await dash.login(phone, user);
    await dash.login(laptop, user);
    await laptop.getByRole('link', { name: user.email }).click();
    const sessions = laptop.getByRole('region', { name: 'Sessions' });
    const rows = sessions.getByRole('row');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3, 'a header row and two sessions');
    await sessions.getByText('This session').waitFor();
    await sessions.getByRole('button', { name: /^Sign out/ }).click();
    await rows.nth(2).waitFor({ state: 'detached' });
    assert.equal((await phone.request.get(`${dash.server.url}/api/auth/me`)).status(), 401);
    assert.equal((await laptop.request.get(`${dash.server.url}/api/auth/me`)).status(), 200);
  });

  it('signs in with the keyboard alone', async () => {
    const user = await dash.user('member');
    const page = await dash.newPage();
    await page.goto(dash.server.url);
    await page.getByLabel('Email').waitFor();
    // The Email field has focus on arrival; Tab reaches Password, Enter submits.
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
  });

  it('switches organisation, landing a Member of the other one on its reports', async () => {
    const admin = await dash.user('admin');
    const other = await dash.server.addOrganization('Second organisation');
    await addMembership(dash.server.ctx.db, { orgId: other.orgId, userId: admin.id, role: 'member', now: dash.server.ctx.now() });
    const page = await dash.newPage();
    await dash.login(page, admin);
    await page.goto(`${dash.server.url}/orgs/${dash.server.orgId}/settings`);
    await page.getByRole('button', { name: 'Copy ID' }).waitFor();
    await page.getByRole('combobox', { name: 'Organisation', exact: true }).selectOption({ label: 'Second organisation' });
    await page.waitForURL(`**/orgs/${other.orgId}/reports`);
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Settings', exact: true }).count(), 0);
    await page.getByRole('combobox', { name: 'Organisation', exact: true }).selectOption({ label: 'Test organisation' });
    await page.waitForURL(`**/orgs/${dash.server.orgId}/reports`);
    assert.equal(await page.getByRole('link', { name: 'Settings', exact: true }).count(), 1);
  });

  it('works at 390 px wide', async () => {
    const page = await dash.newPage({ width: 390 });
    await dash.login(page, await dash.user('owner'));
    assert.equal(await widerThanViewport(page), '');
    await dash.screenshot(page, 'reports-390px');
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('button', { name: 'Copy ID' }).waitFor();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    assert.equal(await widerThanViewport(page), '');
    await dash.screenshot(page, 'settings-390px');
  });

  it('ran every screen without a CSP violation or script error', () => {
    assert.deepEqual(dash.browserProblems, []);
  });
});
