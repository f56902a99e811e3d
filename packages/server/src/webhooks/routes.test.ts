import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, eventually, startReceiver, uploadReport, type Receiver } from './test-support.js';

for (const dialect of testDialects) {
  describe(`webhook API (${dialect})`, () => {
    let server: TestServer;
    let receiver: Receiver;

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50' });
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('requires an org admin', async () => {
      const path = `/api/orgs/${server.orgId}/webhooks`;
      assert.equal((await fetch(`${server.url}${path}`)).status, 401);
      assert.equal((await api(server, 'GET', path, undefined, server.tokens.upload)).status, 403);
      const other = await server.addOrganization('Other');
      assert.equal((await api(server, 'GET', path, undefined, other.adminToken)).status, 403);
      const { id } = await createWebhook(server, { url: receiver.url });
      assert.equal((await api(server, 'GET', `/api/orgs/${other.orgId}/webhooks/${id}`, undefined, other.adminToken)).status, 404, 'another organisation cannot see it');
      await api(server, 'DELETE', `${path}/${id}`);
    });

    it('creates, lists, shows, updates, disables, enables and deletes endpoints', async () => {
      const base = `/api/orgs/${server.orgId}/webhooks`;
      const created = await api(server, 'POST', base, { url: receiver.url, description: 'CI', retryPolicy: { strategy: 'exponential' } });
      assert.equal(created.status, 201);
      assert.ok(created.body.secret);
      assert.deepEqual(created.body.events, ['report.created', 'report.updated', 'report.deleted']);
      assert.equal(created.body.signatureScheme, 'arkiv');
      const id = created.body.id;

      const listed = await api(server, 'GET', base);
      assert.deepEqual(listed.body.webhooks.map((w: { id: string }) => w.id), [id]);
      assert.equal(listed.body.webhooks[0].secret, undefined, 'listings never show the secret');
      assert.equal((await api(server, 'GET', `${base}/${id}`)).body.description, 'CI');

      const patched = await api(server, 'PATCH', `${base}/${id}`, { description: 'CD', events: ['report.deleted'], filters: { reportType: ['OWASP Top 10'] } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.description, 'CD');
      assert.deepEqual(patched.body.filters, { reportType: ['OWASP Top 10'] });
      assert.equal((await api(server, 'PATCH', `${base}/${id}`, { signatureAlgorithm: 'HmacSHA1' })).status, 400, 'algorithm is for nexus-iq only');
      assert.equal((await api(server, 'PATCH', `${base}/${id}`, { events: ['Not An Event'] })).status, 400);
      const nexus = await api(server, 'PATCH', `${base}/${id}`, { signatureScheme: 'nexus-iq', signatureAlgorithm: 'HmacSHA1' });
      assert.equal(nexus.body.signatureAlgorithm, 'HmacSHA1');
      const back = await api(server, 'PATCH', `${base}/${id}`, { signatureScheme: 'arkiv' });
      assert.equal(back.status, 200, 'leaving nexus-iq drops its algorithm');
      assert.equal(back.body.signatureAlgorithm, null);

      const disabled = await api(server, 'POST', `${base}/${id}/disable`);
      assert.equal(disabled.body.enabled, false);
      assert.equal(disabled.body.disabledReason, 'manual');
      const enabled = await api(server, 'POST', `${base}/${id}/enable`);
      assert.equal(enabled.body.enabled, true);
      assert.equal(enabled.body.disabledReason, null);

      assert.equal((await api(server, 'DELETE', `${base}/${id}`)).status, 204);
      assert.equal((await api(server, 'GET', `${base}/${id}`)).status, 404);
    });

    it('lists deliveries with a status filter and cursor pages, shows attempts, redelivers with the same id and bytes', async () => {
      const { id } = await createWebhook(server, { url: receiver.url });
      const start = receiver.received.length;
      for (let i = 0; i < 5; i++) await uploadReport(server, { projectName: `Log ${i}` });
      await receiver.waitFor((r) => r.length === start + 5);
      const base = `/api/orgs/${server.orgId}/webhooks/${id}/deliveries`;
      await eventually(async () => ((await api(server, 'GET', `${base}?status=succeeded`)).body.deliveries.length === 5 ? true : undefined));

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { deliveries: Array<{ id: string; status: string }>; nextCursor: string | null } } = await api(server, 'GET', `${base}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.body.deliveries.length <= 2);
        seen.push(...page.body.deliveries.map((d) => d.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.equal(seen.length, 5);
      assert.equal(new Set(seen).size, 5);
      assert.equal((await api(server, 'GET', `${base}?status=failed`)).body.deliveries.length, 0);

      const target = receiver.received[start]!;
      const deliveryId = String(target.headers['x-arkiv-webhook-delivery']);
      const shown = await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${deliveryId}`);
      assert.equal(shown.body.status, 'succeeded');
      assert.equal(shown.body.body, target.body.toString());
      assert.equal(shown.body.attemptLog.length, 1);
      assert.equal(shown.body.attemptLog[0].responseStatus, 200);
      assert.equal(shown.body.attemptLog[0].requestHeaders['X-Arkiv-Webhook-Delivery'], deliveryId);

      const before = receiver.received.length;
      const again = await api(server, 'POST', `/api/orgs/${server.orgId}/deliveries/${deliveryId}/redeliver`);
      assert.equal(again.status, 202);
      const [redelivered] = (await receiver.waitFor((r) => r.length === before + 1)).slice(before);
      assert.equal(redelivered!.headers['x-arkiv-webhook-delivery'], deliveryId);
      assert.deepEqual(redelivered!.body, target.body);
      await eventually(async () => ((await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${deliveryId}`)).body.attempts === 2 ? true : undefined));
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('bulk-redelivers the failed and abandoned deliveries of a time range after an outage', async () => {
      // No retries: the first failure fails its delivery and, past the (zero) horizon, disables the
      // endpoint, which abandons the others.
      const { id } = await createWebhook(server, { url: receiver.url, retryPolicy: { strategy: 'fixed', horizonHours: 0 } });
      const start = receiver.received.length;
      const allArrived = receiver.waitFor((r) => r.length >= start + 3);
      receiver.respond = async (_r, res) => {
        await allArrived;
        res.statusCode = 502;
        res.end();
      };
      const since = new Date().toISOString();
      for (let i = 0; i < 3; i++) await uploadReport(server, { projectName: `Outage ${i}` });
      const base = `/api/orgs/${server.orgId}/webhooks/${id}/deliveries`;
      const unsent = await eventually(async () => {
        const failed = (await api(server, 'GET', `${base}?status=failed`)).body.deliveries;
        const abandoned = (await api(server, 'GET', `${base}?status=abandoned`)).body.deliveries;
        return failed.length + abandoned.length === 3 ? [...failed, ...abandoned] : undefined;
      });
      const endpoint = await api(server, 'GET', `/api/orgs/${server.orgId}/webhooks/${id}`);
      assert.equal(endpoint.body.disabledReason, 'failing');

      receiver.respond = (_r, res) => void res.end('ok');
      await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks/${id}/enable`);
      const before = receiver.received.length;
      const bulk = await api(server, 'POST', `${base}/redeliver`, { since, until: new Date(Date.now() + 1000).toISOString() });
      assert.equal(bulk.status, 202);
      assert.equal(bulk.body.redelivered, 3);
      const got = (await receiver.waitFor((r) => r.length === before + 3)).slice(before);
      assert.deepEqual(new Set(got.map((r) => r.headers['x-arkiv-webhook-delivery'])), new Set(unsent.map((d: { id: string }) => d.id)));
      await eventually(async () => ((await api(server, 'GET', `${base}?status=succeeded`)).body.deliveries.length === 3 ? true : undefined));
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('documents every webhook route in OpenAPI', async () => {
      const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      for (const path of [
        '/api/orgs/{orgId}/webhooks',
        '/api/orgs/{orgId}/webhooks/{id}',
        '/api/orgs/{orgId}/webhooks/{id}/deliveries',
        '/api/orgs/{orgId}/webhooks/{id}/ping',
        '/api/orgs/{orgId}/deliveries/{id}/redeliver',
      ]) assert.ok(spec.paths[path], path);
    });
  });
}
