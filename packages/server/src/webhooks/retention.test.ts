import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, eventually, manualClock, startReceiver, uploadReport, type Receiver } from './test-support.js';
import { RetentionWorker } from './retention.js';

const DAY = 86_400_000;

for (const dialect of testDialects) {
  describe(`webhook retention (${dialect})`, () => {
    const clock = manualClock(Date.now());
    let server: TestServer;
    let receiver: Receiver;

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50', ARKIV_WEBHOOK_RETENTION_DAYS: '30' }, clock.install);
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('deletes finished deliveries, their attempts and orphaned events after the retention period, never pending ones', async () => {
      const ok = await createWebhook(server, { url: receiver.url });
      await uploadReport(server, { projectName: 'Old and done' });
      await receiver.waitFor((r) => r.length === 1);
      const done = String(receiver.received[0]!.headers['x-arkiv-webhook-delivery']);
      await eventually(async () => ((await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${done}`)).body.status === 'succeeded' ? true : undefined));
      await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks/${ok.id}/disable`);

      // A pending delivery parked far in the future (its endpoint never answers in time).
      const parked = await createWebhook(server, { url: receiver.url, retryPolicy: { strategy: 'fixed', intervalSeconds: 7 * 86_400, horizonHours: 24 * 365 } });
      receiver.respond = (_r, res) => {
        res.statusCode = 500;
        res.end();
      };
      await uploadReport(server, { projectName: 'Still pending' });
      await receiver.waitFor((r) => r.length === 2);
      const pending = String(receiver.received[1]!.headers['x-arkiv-webhook-delivery']);
      await eventually(async () => ((await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${pending}`)).body.attempts === 1 ? true : undefined));

      const retention = new RetentionWorker(server.ctx);
      clock.now += 29 * DAY;
      await retention.runOnce();
      assert.equal((await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${done}`)).status, 200, 'kept inside the retention period');

      clock.now += 2 * DAY;
      await retention.runOnce();
      assert.equal((await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${done}`)).status, 404);
      const attempts = await server.ctx.db.selectFrom('webhook_attempts').select('delivery_id').execute();
      assert.ok(attempts.every((a) => a.delivery_id === pending), 'attempts went with their delivery');
      assert.equal((await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${pending}`)).body.status, 'pending');
      const events = await server.ctx.db.selectFrom('webhook_events').select('type').execute();
      assert.equal(events.length, 1, 'only the pending delivery keeps its event');
      for (const { id } of [ok, parked]) await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });
  });
}
