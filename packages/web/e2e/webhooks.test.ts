import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { verifyWebhook } from '@arkiv/client/webhooks';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';
import { serverModules } from './server.ts';
import { startReceiver, type ReceivedRequest, type Receiver } from './receiver.ts';

const { uploadForm, sampleFields } = await serverModules();

async function openWebhooks(dash: Dashboard): Promise<Page> {
  const page = await dash.newPage();
  await dash.login(page, await dash.user('admin'));
  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
  return page;
}

/** Creates an endpoint through the editor; returns the secret the dashboard shows once. */
async function addWebhook(page: Page, url: string, options: { neverRetry?: boolean } = {}): Promise<string> {
  await page.getByRole('button', { name: 'Add webhook' }).click();
  const form = page.getByRole('form', { name: 'Add webhook' });
  await form.getByLabel('Payload URL').fill(url);
  await form.getByLabel('Description').fill('e2e receiver');
  if (options.neverRetry) {
    await form.getByLabel('Retry policy').selectOption('fixed');
    await form.getByLabel('Give up after (hours, 0 = no retries)').fill('0');
  }
  await form.getByRole('button', { name: 'Create webhook' }).click();
  await page.getByText('Webhook created.').waitFor();
  const secret = await page.getByLabel('Signing secret').inputValue();
  assert.ok(secret.length >= 32, 'the secret is shown once after creation');
  return secret;
}

const adminApi = async (dash: Dashboard, path: string) =>
  (await (await fetch(`${dash.server.url}/api/orgs/${dash.server.orgId}${path}`, { headers: { authorization: `Bearer ${dash.server.tokens.admin}` } })).json()) as {
    webhooks: Array<{ id: string; url: string; enabled: boolean }>;
  };
const endpointId = async (dash: Dashboard, suffix: string) => (await adminApi(dash, '/webhooks')).webhooks.find((w) => w.url.endsWith(suffix))?.id;
const endpointEnabled = async (dash: Dashboard, id: string) => (await adminApi(dash, '/webhooks')).webhooks.find((w) => w.id === id)?.enabled;

const header = (request: ReceivedRequest, name: string) => String(request.headers[name.toLowerCase()] ?? '');

describe('webhook editor in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
    dash = await startDashboard();
  });
  after(async () => {
    await dash?.close();
    await receiver?.close();
  });

  it('creates a webhook, sends a test ping that arrives signed, and rotates the secret', async () => {
    receiver.status = 200;
    const page = await openWebhooks(dash);
    const secret = await addWebhook(page, `${receiver.url}/ping-hook`);
    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Send test ping' }).click();
    await page.getByText(/Ping delivered: the endpoint answered HTTP 200/).waitFor();
    const ping = (await receiver.waitFor(before + 1))[before]!;
    assert.equal(ping.url, '/ping-hook');
    assert.equal(header(ping, 'X-Arkiv-Webhook-Id'), 'webhook.ping');
    const verified = verifyWebhook({ scheme: 'arkiv', secret, body: ping.body, headers: ping.headers });
    assert.equal(verified.ok, true, JSON.stringify(verified));
    assert.equal(verifyWebhook({ scheme: 'arkiv', secret: `${secret}x`, body: ping.body, headers: ping.headers }).ok, false);
    assert.equal((JSON.parse(ping.body.toString('utf8')) as { organizationId: string }).organizationId, dash.server.orgId);
    await page.getByRole('cell', { name: 'webhook.ping' }).first().waitFor();
    await dash.screenshot(page, 'webhooks');

    // Rotation: a new secret signs from now on; the old one still signs during the grace period.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByText(/New secret/).waitFor();
    const rotated = await page.getByLabel('Signing secret').inputValue();
    assert.notEqual(rotated, secret);
    await page.getByRole('button', { name: 'Send test ping' }).click();
    const second = (await receiver.waitFor(before + 2))[before + 1]!;
    assert.equal(verifyWebhook({ scheme: 'arkiv', secret: rotated, body: second.body, headers: second.headers }).ok, true);
    assert.equal(verifyWebhook({ scheme: 'arkiv', secret, body: second.body, headers: second.headers }).ok, true);
  });

  it('redelivers a failed delivery with the same delivery id once the receiver is back', async () => {
    receiver.status = 500;
    const page = await openWebhooks(dash);
    await addWebhook(page, `${receiver.url}/flaky-hook`, { neverRetry: true });
    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Send test ping' }).click();
    await page.getByText(/Ping failed: the endpoint answered HTTP 500/).waitFor();
    const failed = (await receiver.waitFor(before + 1))[before]!;
    const deliveryId = header(failed, 'X-Arkiv-Webhook-Delivery');
    const row = page.locator(`tr[data-delivery-id="${deliveryId}"]`);
    await row.getByText('failed', { exact: true }).waitFor();

    receiver.status = 200;
    await row.getByRole('button', { name: 'Redeliver' }).click();
    await row.getByText('succeeded', { exact: true }).waitFor();
    const redelivered = (await receiver.waitFor(before + 2))[before + 1]!;
    assert.equal(header(redelivered, 'X-Arkiv-Webhook-Delivery'), deliveryId);
    assert.deepEqual(redelivered.body, failed.body, 'a redelivery sends the identical bytes');

    await row.getByRole('button', { name: 'Details' }).click();
    const detail = page.locator('.delivery-detail');
    await detail.getByText(/Attempt 2 .*HTTP 200/).waitFor();
    assert.match(await detail.innerText(), /Attempt 1 .*HTTP 500/);
    await dash.screenshot(page, 'webhook-deliveries');

    const narrow = await dash.newPage({ width: 390 });
    await dash.login(narrow, await dash.user('admin'));
    await narrow.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await narrow.getByRole('button', { name: 'Open' }).first().click();
    await narrow.getByRole('button', { name: 'Send test ping' }).waitFor();
    const sticksOut = await narrow.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-scroll') && !e.closest('pre'))
      .map((e) => e.tagName.toLowerCase() + '.' + e.className).join('; ')`);
    assert.equal(sticksOut, '');
    await dash.screenshot(narrow, 'webhooks-390px');
  });

  it('edits filters and scheme, reveals, disables, enables and deletes an endpoint', async () => {
    receiver.status = 200;
    const page = await openWebhooks(dash);
    await addWebhook(page, `${receiver.url}/edit-hook`);
    const card = page.getByRole('listitem').filter({ hasText: '/edit-hook' });
    await card.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit webhook' });
    await form.getByLabel('Only these projects (comma-separated)').fill('Filtered product');
    await form.getByLabel('report.deleted').uncheck();
    await form.getByLabel('Signature scheme').selectOption('standard-webhooks');
    await form.getByText(/rotate the secret to get one made for this scheme/).waitFor();
    await form.getByRole('button', { name: 'Save webhook' }).click();
    await page.getByText('Webhook saved.').waitFor();
    await card.getByText(/projects: Filtered product/).waitFor();

    // The scheme's own secret form comes with a rotation; Reveal shows the same secret again.
    await card.getByRole('button', { name: 'Rotate secret' }).click();
    await card.getByRole('button', { name: 'Rotate now' }).click();
    await card.getByText(/New secret/).waitFor();
    const secret = await card.getByLabel('Signing secret').inputValue();
    assert.match(secret, /^whsec_/);
    await card.getByRole('button', { name: 'Hide secret' }).click();
    await card.getByRole('button', { name: 'Reveal secret' }).click();
    await card.getByText('Secret revealed.').waitFor();
    assert.equal(await card.getByLabel('Signing secret').inputValue(), secret);

    // Only reports of the filtered project reach the endpoint, signed per Standard Webhooks.
    for (const projectName of ['Unrelated product', 'Filtered product']) {
      const response = await fetch(`${dash.server.url}/security/report`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dash.server.tokens.upload}` },
        body: uploadForm(sampleFields({ projectName })),
      });
      assert.equal(response.status, 201);
    }
    const arrived = (await receiver.waitForMatching((r) => r.url === '/edit-hook')).slice(0);
    // Deliveries are written with the report, in one transaction: the log proves the unrelated upload made none.
    const webhookId = (await endpointId(dash, '/edit-hook'))!;
    const log = (await adminApi(dash, `/webhooks/${webhookId}/deliveries`)) as unknown as { deliveries: Array<{ event: string }> };
    assert.deepEqual(log.deliveries.map((d) => d.event), ['report.created']);
    const event = JSON.parse(arrived[0]!.body.toString('utf8')) as { type: string; reports: Array<{ projectName: string }> };
    assert.equal(event.type, 'report.created');
    assert.deepEqual(event.reports.map((r) => r.projectName), ['Filtered product']);
    assert.equal(verifyWebhook({ scheme: 'standard-webhooks', secret, body: arrived[0]!.body, headers: arrived[0]!.headers }).ok, true);

    await card.getByRole('button', { name: 'Disable' }).click();
    await card.getByText('disabled', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Enable' }).click();
    await card.getByText('enabled', { exact: true }).waitFor();
    assert.equal(await endpointEnabled(dash, webhookId), true);

    await card.getByRole('button', { name: 'Delete' }).click();
    await card.getByRole('button', { name: 'Delete webhook' }).click();
    await card.waitFor({ state: 'detached' });
    assert.equal(await endpointId(dash, '/edit-hook'), undefined);
  });

  it('ran every screen without a CSP violation or script error', () => {
    assert.deepEqual(dash.browserProblems, []);
  });
});
