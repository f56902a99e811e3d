import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, deliveryRow, eventually, manualClock, startReceiver, uploadReport, wakeDispatcher, type Receiver } from './test-support.js';

const HOUR = 3_600_000;

for (const dialect of testDialects) {
  describe(`webhook retries on a controlled clock (${dialect})`, () => {
    const clock = manualClock();
    let server: TestServer;
    let receiver: Receiver;
    const deliveryIdOf = (i: number) => String(receiver.received[i]!.headers['x-arkiv-webhook-delivery']);

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '20' }, clock.install);
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('retries hourly for 72 hours, then fails the delivery and disables the endpoint', async () => {
      receiver.respond = (_r, res) => {
        res.statusCode = 500;
        res.end('down');
      };
      const start = clock.now;
      const { id: webhookId } = await createWebhook(server, { url: receiver.url });
      await uploadReport(server, { projectName: 'Hourly' });
      await receiver.waitFor((r) => r.length === 1);
      const id = deliveryIdOf(0);
      for (let attempt = 1; attempt <= 72; attempt++) {
        const row = await eventually(async () => {
          const r = await deliveryRow(server, id);
          return r.attempts === attempt && r.lease_owner === null ? r : undefined;
        });
        // Never earlier than the policy says: exactly one hour after the failed attempt.
        assert.equal(row.next_attempt_at, start + attempt * HOUR);
        assert.equal(row.status, 'pending');
        clock.now = row.next_attempt_at;
        wakeDispatcher(server);
        await receiver.waitFor((r) => r.length === attempt + 1);
        assert.equal(deliveryIdOf(attempt), id, 'a retry carries the same delivery id');
      }
      const final = await eventually(async () => {
        const r = await deliveryRow(server, id);
        return r.status !== 'pending' ? r : undefined;
      });
      assert.equal(final.status, 'failed');
      assert.equal(final.attempts, 73);
      const endpoint = await api(server, 'GET', `/api/orgs/${server.orgId}/webhooks/${webhookId}`);
      assert.equal(endpoint.body.enabled, false);
      assert.equal(endpoint.body.disabledReason, 'failing');
      assert.ok(endpoint.body.disabledAt);
      const shown = await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${id}`);
      assert.equal(shown.body.attemptLog.length, 73);
      assert.ok(shown.body.attemptLog.every((a: { responseStatus: number }) => a.responseStatus === 500));
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${webhookId}`);
    });

    it('honours Retry-After on 429 and 503', async () => {
      const { id: webhookId } = await createWebhook(server, { url: receiver.url });
      for (const [status, retryAfter] of [[429, '7200'], [503, new Date(clock.now + 5 * HOUR).toUTCString()]] as const) {
        receiver.respond = (_r, res) => {
          res.writeHead(status, { 'retry-after': retryAfter });
          res.end();
        };
        const before = receiver.received.length;
        const attemptAt = clock.now;
        await uploadReport(server, { projectName: `Retry-After ${status}` });
        await receiver.waitFor((r) => r.length === before + 1);
        const row = await eventually(async () => {
          const r = await deliveryRow(server, deliveryIdOf(before));
          return r.attempts === 1 && r.lease_owner === null ? r : undefined;
        });
        assert.equal(row.last_status, status);
        assert.equal(row.next_attempt_at, attemptAt + (status === 429 ? 2 : 5) * HOUR);
      }
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${webhookId}`);
    });

    it('410 Gone disables the endpoint and abandons its pending deliveries', async () => {
      receiver.respond = (_r, res) => {
        res.statusCode = 410;
        res.end();
      };
      const { id: webhookId } = await createWebhook(server, { url: receiver.url });
      // A second pending delivery, parked in the future: it must be abandoned too.
      const before = receiver.received.length;
      await uploadReport(server, { projectName: 'Gone' });
      await receiver.waitFor((r) => r.length === before + 1);
      const endpoint = await eventually(async () => {
        const e = await api(server, 'GET', `/api/orgs/${server.orgId}/webhooks/${webhookId}`);
        return e.body.enabled === false ? e.body : undefined;
      });
      assert.equal(endpoint.disabledReason, 'gone');
      // The dispatcher's change is in the organisation's audit log, with the dispatcher as actor.
      const audit = await api(server, 'GET', `/api/orgs/${server.orgId}/audit?action=webhook.update&actor=system`);
      assert.deepEqual(
        audit.body.entries.filter((e: { details: { webhookId: string } }) => e.details.webhookId === webhookId).map((e: { actor: unknown; details: unknown }) => [e.actor, e.details]),
        [[{ kind: 'system', id: null, label: 'webhook dispatcher' }, { webhookId, changed: ['enabled'], enabled: false, disabledReason: 'gone' }]],
      );
      const row = await deliveryRow(server, deliveryIdOf(before));
      assert.equal(row.status, 'abandoned');
      await uploadReport(server, { projectName: 'Gone 2' });
      const pending = await server.ctx.db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', webhookId).where('status', '=', 'pending').execute();
      assert.equal(pending.length, 0, 'a disabled endpoint gets no new deliveries');
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${webhookId}`);
    });
  });
}
