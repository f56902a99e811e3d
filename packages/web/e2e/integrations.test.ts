import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Page } from 'playwright-core';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';
import { startReceiver, type Receiver } from './receiver.ts';

/**
 * The server's SonarQube stand-in and seed-004 payloads, loaded by computed URL like e2e/server.ts
 * does (the dashboard's type-check must not type-check server code) and described by what we use.
 */
interface StandIn {
  url: string;
  requests: Array<{ path: string }>;
  close(): Promise<void>;
}
const serverSrc = new URL('../../server/src/ingest/', import.meta.url);
const standInModule = (await import(new URL('sonarqube/test/sonar-stand-in.ts', serverSrc).href)) as { startSonarStandIn(options: { token: string }): Promise<StandIn> };
const fixtures = (await import(new URL('sonarqube/test/sonar-fixtures.ts', serverSrc).href)) as { PROJECT_KEY: string; PROJECT_NAME: string };
const seed004 = (await import(new URL('nexus-iq/test/seed-004-payloads.ts', serverSrc).href)) as { APPLICATION_EVALUATION: string };

const SONAR_TOKEN = 'squ_e2e0123456789abcdef0123456789abcdef0123';

interface ApiConnection {
  id: string;
  name: string;
  webhookUrl: string;
  secret: string;
  lastEvents: Array<{ eventType: string; status: string }>;
}

describe('integrations screen in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  let sonar: StandIn;
  let receiver: Receiver;
  before(async () => {
    sonar = await standInModule.startSonarStandIn({ token: SONAR_TOKEN });
    receiver = await startReceiver();
    dash = await startDashboard();
  });
  after(async () => {
    await dash?.close();
    await sonar?.close();
    await receiver?.close();
  });

  const api = async (method: string, path: string, body?: unknown, token = dash.server.tokens.admin) => {
    const response = await fetch(`${dash.server.url}/api/orgs/${dash.server.orgId}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as any) : undefined };
  };
  const connections = async (kind: 'sonarqube' | 'nexus-iq') => (await api('GET', `/integrations/${kind}`)).body.connections as ApiConnection[];

  async function openIntegrations(): Promise<Page> {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    await page.getByRole('link', { name: 'Integrations', exact: true }).click();
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    return page;
  }

  it('creates a SonarQube connection and "Import now" stores the CWE Top 25 and OWASP Top 10 reports', async () => {
    const page = await openIntegrations();
    const section = page.getByRole('region', { name: 'SonarQube' });
    await section.getByRole('button', { name: 'Add SonarQube connection' }).click();
    const form = section.getByRole('form', { name: 'Add SonarQube connection' });
    // A new connection needs a token: the form says so before the API is asked.
    await form.getByLabel('Connection name').fill('Sonar on the build network');
    await form.getByLabel('SonarQube server URL').fill(sonar.url);
    await form.getByRole('button', { name: 'Create connection' }).click();
    await form.getByText(/Enter a SonarQube user token/).waitFor();
    await form.getByLabel('SonarQube token').fill(SONAR_TOKEN);
    await form.getByLabel(/^Projects/).fill(`${fixtures.PROJECT_KEY} = ACME Shop (e2e)`);
    await form.getByRole('button', { name: 'Create connection' }).click();
    await section.getByText(/Connection created/).waitFor();

    const [stored] = await connections('sonarqube');
    assert.ok(stored, 'the API lists the new connection');
    const card = section.getByRole('listitem', { name: 'SonarQube connection Sonar on the build network' });
    assert.equal(await card.getByLabel('Webhook URL', { exact: true }).inputValue(), stored.webhookUrl);
    assert.equal(await card.getByLabel('Webhook secret', { exact: true }).inputValue(), stored.secret);
    await card.getByText('token stored').waitFor();

    assert.equal(await card.getByLabel('Project key').inputValue(), fixtures.PROJECT_KEY, 'the mapped project is offered');
    await card.getByRole('button', { name: 'Import now' }).click();
    await card.getByText(/Imported CWE Top 25 2024 \(ACME Shop \(e2e\) 2\.4\.1: 3 vulnerabilities, rating C\); OWASP Top 10 2021 \(ACME Shop \(e2e\) 2\.4\.1: 6 vulnerabilities, rating D\)/).waitFor({ timeout: 30_000 });
    assert.ok(sonar.requests.some((r) => r.path === 'api/issues/search'), 'the import read the stand-in');
    await dash.screenshot(page, 'integrations-sonarqube');

    // An unknown project is refused with the API's message, shown as is.
    await card.getByLabel('Project key').fill('not-mapped');
    await card.getByRole('button', { name: 'Import now' }).click();
    await card.getByRole('alert').getByText('SonarQube project "not-mapped" is not in this connection\'s project list').waitFor();

    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    for (const reportType of ['CWE Top 25', 'OWASP Top 10']) {
      await page.getByRole('row', { name: new RegExp(`ACME Shop \\(e2e\\) 2\\.4\\.1 ${reportType}`) }).first().waitFor();
    }
  });

  it('edits the connection without erasing the token, rotates the secret and deletes it', async () => {
    const page = await openIntegrations();
    const section = page.getByRole('region', { name: 'SonarQube' });
    const [before] = await connections('sonarqube');
    const card = section.getByRole('listitem', { name: /SonarQube connection/ });
    await card.getByRole('button', { name: 'Edit' }).click();
    const form = section.getByRole('form', { name: 'Edit SonarQube connection' });
    await form.getByText('A token is stored (encrypted; it is never shown).').waitFor();
    await form.getByLabel('Connection name').fill('Sonar renamed');
    await form.getByLabel(/^Projects/).fill('');
    await form.getByRole('button', { name: 'Save connection' }).click();
    await section.getByText('Connection saved.').waitFor();
    const [edited] = await connections('sonarqube');
    assert.deepEqual({ name: edited!.name, hasToken: (edited as any).hasToken, projects: (edited as any).projects }, { name: 'Sonar renamed', hasToken: true, projects: {} });

    const renamed = section.getByRole('listitem', { name: 'SonarQube connection Sonar renamed' });
    await renamed.getByRole('button', { name: 'Open' }).click();
    await renamed.getByRole('button', { name: 'Rotate webhook secret' }).click();
    await renamed.getByRole('button', { name: 'Rotate now' }).click();
    await section.getByText(/New webhook secret for Sonar renamed/).waitFor();
    const [rotated] = await connections('sonarqube');
    assert.notEqual(rotated!.secret, before!.secret);
    await renamed.getByLabel('Webhook secret', { exact: true }).and(page.locator(`[value="${rotated!.secret}"]`)).waitFor();

    await renamed.getByRole('button', { name: 'Delete' }).click();
    await renamed.getByRole('button', { name: 'Delete connection' }).click();
    await renamed.waitFor({ state: 'detached' });
    assert.deepEqual(await connections('sonarqube'), []);
  });

  it('shows the Nexus IQ webhook URL and secret the API returns; a signed seed-004 evaluation appears in last events and the table', async () => {
    const page = await openIntegrations();
    const section = page.getByRole('region', { name: 'Nexus IQ' });
    await section.getByRole('button', { name: 'Add Nexus IQ connection' }).click();
    const form = section.getByRole('form', { name: 'Add Nexus IQ connection' });
    assert.equal(await form.getByLabel('SonarQube server URL').count(), 0, 'a Nexus IQ connection has only a name');
    await form.getByLabel('Connection name').fill('Nexus IQ production');
    await form.getByRole('button', { name: 'Create connection' }).click();
    await section.getByText(/Connection created/).waitFor();

    const [connection] = await connections('nexus-iq');
    assert.ok(connection);
    const card = section.getByRole('listitem', { name: 'Nexus IQ connection Nexus IQ production' });
    const shownUrl = await card.getByLabel('Webhook URL', { exact: true }).inputValue();
    const shownSecret = await card.getByLabel('Webhook secret', { exact: true }).inputValue();
    assert.equal(shownUrl, connection.webhookUrl);
    assert.equal(shownSecret, connection.secret);
    assert.match(shownUrl, new RegExp(`/integrations/nexus-iq/${connection.id}/webhook$`));
    await card.getByRole('button', { name: 'Copy webhook secret' }).click();
    await card.getByText('Webhook secret copied to the clipboard').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), shownSecret);
    await card.getByText(/No events yet/).waitFor();

    // Nexus IQ's own call: the seed's exact bytes, HmacSHA1 of them with the secret shown.
    // The test server's public URL carries port 0 (it listens on a random one): same path, real port.
    const body = seed004.APPLICATION_EVALUATION;
    const deliveryId = crypto.randomUUID();
    const response = await fetch(`${dash.server.url}${new URL(shownUrl).pathname}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'x-nexus-webhook-id': 'iq:applicationEvaluation',
        'x-nexus-webhook-delivery': deliveryId,
        'x-nexus-webhook-signature': crypto.createHmac('sha1', shownSecret).update(body, 'utf8').digest('hex'),
        'x-nexus-webhook-signature-algorithm': 'HmacSHA1',
      },
      body,
    });
    assert.equal(response.status, 202, await response.text());

    await card.getByRole('button', { name: 'Refresh events' }).click();
    const events = card.getByRole('region', { name: 'Last events of Nexus IQ production' });
    const eventRow = events.getByRole('row', { name: /iq:applicationEvaluation/ });
    await eventRow.waitFor();
    assert.match(await eventRow.innerText(), /received|imported|queued/);

    await page.getByRole('button', { name: 'Refresh evaluations' }).click();
    const evaluation = page.locator('tr[data-evaluation-id="debceb1d-9209-485d-8d07-bd5390de7ef5"]');
    await evaluation.waitFor();
    // Hand-read from seed 004: owner 6a45…, build, fail, 2015-05-05T23:40:12Z, 10 / 2 / 5 / 3.
    assert.deepEqual(
      (await evaluation.locator('td').allInnerTexts()).map((t) => t.trim()),
      ['6a454175-f55d-4d33-ba44-90ac3af2e8b8', 'build', 'fail', '2015-05-05 23:40:12', '10', '2', '5', '3'],
    );
    await dash.screenshot(page, 'integrations');
    const narrow = await dash.newPage({ width: 390 });
    await dash.login(narrow, await dash.user('admin'));
    await narrow.goto(`${dash.server.url}/orgs/${dash.server.orgId}/integrations`);
    await narrow.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await narrow.getByRole('listitem', { name: 'Nexus IQ connection Nexus IQ production' }).getByRole('button', { name: 'Open' }).click();
    await narrow.getByLabel('Webhook secret', { exact: true }).waitFor();
    const sticksOut = await narrow.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-scroll'))
      .map((e) => e.tagName.toLowerCase() + '.' + e.className).join('; ')`);
    assert.equal(sticksOut, '', 'nothing but tables scrolls sideways at 390 px');
    await dash.screenshot(narrow, 'integrations-390px');
  });

  it('a Member sees no Integrations link, the page and the API refuse, and the evaluations are readable', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    assert.equal(await page.getByRole('link', { name: 'Integrations', exact: true }).count(), 0);
    await page.goto(`${dash.server.url}/orgs/${dash.server.orgId}/integrations`);
    await page.getByRole('heading', { name: 'Not permitted' }).waitFor();
    await page.getByRole('alert').getByText(/Only Administrators and Owners/).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Nexus IQ' }).count(), 0);
    const status = await page.evaluate(`fetch('/api/orgs/${dash.server.orgId}/integrations/nexus-iq').then((r) => r.status)`);
    assert.equal(status, 403);

    await page.getByRole('link', { name: 'Evaluations', exact: true }).click();
    await page.getByRole('heading', { name: 'Nexus IQ evaluations' }).waitFor();
    await page.locator('tr[data-evaluation-id="debceb1d-9209-485d-8d07-bd5390de7ef5"]').waitFor();
    await dash.screenshot(page, 'evaluations-member');
  });

  it('pages the delivery log with "Load more" and redelivers the failed deliveries of a time range', async () => {
    receiver.status = 500;
    const created = await api('POST', '/webhooks', { url: `${receiver.url}/bulk-hook`, events: ['report.created'], retryPolicy: { strategy: 'fixed', intervalSeconds: 60, horizonHours: 0 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const webhookId = created.body.id as string;
    const total = 53;
    for (let i = 0; i < total; i++) assert.equal((await api('POST', `/webhooks/${webhookId}/ping`)).status, 202);
    let lastSeen = '';
    // A delivery out of retries is 'failed' or, when the horizon ran out first, 'abandoned': bulk redelivery takes both.
    const failedCount = async () => {
      const all: Array<{ status: string }> = [];
      let cursor: string | null = null;
      do {
        const page: { deliveries: Array<{ status: string }>; nextCursor: string | null } = (await api('GET', `/webhooks/${webhookId}/deliveries?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
        all.push(...page.deliveries);
        cursor = page.nextCursor;
      } while (cursor);
      lastSeen = all.map((d) => d.status).join(',');
      return all.filter((d) => d.status === 'failed' || d.status === 'abandoned').length;
    };
    for (let deadline = Date.now() + 30_000; (await failedCount()) < total; ) {
      assert.ok(Date.now() < deadline, `every ping failed once: ${lastSeen}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    const card = page.getByRole('listitem').filter({ hasText: '/bulk-hook' });
    await card.getByRole('button', { name: 'Open' }).click();
    const rows = card.locator('tr[data-delivery-id]');
    await rows.nth(49).waitFor();
    assert.equal(await rows.count(), 50, 'the first page holds 50');
    await card.getByRole('button', { name: 'Load more' }).click();
    await rows.nth(total - 1).waitFor();
    assert.equal(await rows.count(), total);
    await card.getByText(`All ${total} deliveries shown.`).waitFor();
    assert.equal(await card.getByRole('button', { name: 'Load more' }).count(), 0);

    receiver.status = 200;
    const arrivedBefore = receiver.requests.length;
    await card.getByRole('button', { name: 'Redeliver failed…' }).click();
    const form = card.getByRole('form', { name: 'Redeliver failed deliveries' });
    assert.match(await form.getByLabel('Created from').inputValue(), /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    await form.getByRole('button', { name: 'Redeliver failed deliveries' }).click();
    await card.getByText(`${total} deliveries queued again.`).waitFor();
    await receiver.waitFor(arrivedBefore + total, 30_000);
    for (let deadline = Date.now() + 30_000; (await failedCount()) > 0; ) {
      assert.ok(Date.now() < deadline, 'every redelivery succeeded');
      await new Promise((r) => setTimeout(r, 200));
    }
    await card.getByRole('button', { name: 'Refresh' }).click();
    await card.locator('tr[data-delivery-id] .status-succeeded').nth(total - 1).waitFor();
    assert.equal(await card.getByText(/^(failed|abandoned)$/).count(), 0);
    await dash.screenshot(page, 'webhook-deliveries-bulk');
  });

  it('ran every screen without a CSP violation or script error', () => {
    assert.deepEqual(dash.browserProblems, []);
  });
});
