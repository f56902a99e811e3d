import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { sampleFields } from '../test/fixtures.js';
import { storeReports } from '../reports/report-store.js';
import { validateReportMetadata } from '../reports/report-input.js';
import { api, createWebhook, startReceiver, uploadReport, type Receiver } from './test-support.js';
import { emitEvent } from './outbox.js';

const report = (projectName: string) => ({ metadata: validateReportMetadata(sampleFields({ projectName })), files: [] });

for (const dialect of testDialects) {
  describe(`webhook outbox (${dialect})`, () => {
    let server: TestServer;
    let receiver: Receiver;
    const count = async (table: 'webhook_events' | 'webhook_deliveries') =>
      Number((await server.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50' });
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('writes nothing and sends nothing when the report transaction rolls back', async () => {
      const { id } = await createWebhook(server, { url: receiver.url });
      const failing = async () => {
        throw new Error('a later hook fails');
      };
      await assert.rejects(
        storeReports(server.ctx.db, [...server.ctx.reportHooks, failing], { orgId: server.orgId, reports: [report('Rolled back')], initiator: 'system' }),
        /a later hook fails/,
      );
      assert.equal(await count('webhook_events'), 0);
      assert.equal(await count('webhook_deliveries'), 0);
      // The dispatcher is alive: a ping arrives, and it is the only request the receiver ever got.
      const ping = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks/${id}/ping`);
      assert.equal(ping.status, 202);
      await receiver.waitFor((r) => r.length === 1);
      assert.equal(receiver.received[0]!.headers['x-arkiv-webhook-id'], 'webhook.ping');
      assert.equal(receiver.received[0]!.headers['x-arkiv-webhook-delivery'], ping.body.deliveryId);
      assert.equal(JSON.parse(receiver.received[0]!.body.toString()).webhookId, id);
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('one store of several reports is one event carrying all of them, the same bytes to every endpoint', async () => {
      const a = await createWebhook(server, { url: receiver.url });
      const b = await createWebhook(server, { url: `${receiver.url}?second`, signatureScheme: 'standard-webhooks' });
      const before = receiver.received.length;
      await storeReports(server.ctx.db, server.ctx.reportHooks, { orgId: server.orgId, reports: [report('Batch one'), report('Batch two')], initiator: 'system' });
      const got = (await receiver.waitFor((r) => r.length === before + 2)).slice(before);
      assert.deepEqual(got[0]!.body, got[1]!.body, 'identical bytes to both endpoints');
      const body = JSON.parse(got[0]!.body.toString());
      assert.deepEqual(body.reports.map((r: { projectName: string }) => r.projectName), ['Batch one', 'Batch two']);
      assert.equal(body.initiator, 'system');
      const events = await server.ctx.db.selectFrom('webhook_events').select('id').where('type', '=', 'report.created').execute();
      assert.equal(events.length, 1);
      for (const { id } of [a, b]) await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('honours subscriptions, filters and disabled endpoints', async () => {
      const onlyDeleted = await createWebhook(server, { url: receiver.url, events: ['report.deleted'] });
      const onlyAlpha = await createWebhook(server, { url: receiver.url, filters: { projectName: ['Alpha'] } });
      const disabled = await createWebhook(server, { url: receiver.url, enabled: false });
      const deliveriesOf = async (endpointId: string) =>
        (await server.ctx.db.selectFrom('webhook_deliveries').select('event_type').where('endpoint_id', '=', endpointId).execute()).map((d) => d.event_type);

      const beta = await uploadReport(server, { projectName: 'Beta' });
      await uploadReport(server, { projectName: 'Alpha' });
      const deleted = await fetch(`${server.url}/security/report/${beta.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(deleted.status, 204);

      assert.deepEqual(await deliveriesOf(onlyDeleted.id), ['report.deleted']);
      assert.deepEqual(await deliveriesOf(onlyAlpha.id), ['report.created']);
      assert.deepEqual(await deliveriesOf(disabled.id), []);
      for (const { id } of [onlyDeleted, onlyAlpha, disabled]) await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('lets other features emit their own event types inside their transaction', async () => {
      const nexus = await createWebhook(server, { url: receiver.url, events: ['nexus-iq.*'] });
      const before = receiver.received.length;
      const emitted = await server.ctx.db.transaction().execute((trx) =>
        emitEvent(trx, { orgId: server.orgId, type: 'nexus-iq.applicationEvaluation', payload: { applicationEvaluation: { outcome: 'fail' } }, initiator: 'system', at: Date.now() }),
      );
      assert.equal(emitted?.deliveryIds.length, 1);
      const [got] = (await receiver.waitFor((r) => r.length === before + 1)).slice(before);
      assert.equal(got!.headers['x-arkiv-webhook-id'], 'nexus-iq.applicationEvaluation');
      assert.deepEqual(JSON.parse(got!.body.toString()).applicationEvaluation, { outcome: 'fail' });
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${nexus.id}`);
    });
  });
}
