import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, deliveryRow, eventually, startReceiver, uploadReport, type Receiver } from './test-support.js';

for (const dialect of testDialects) {
  describe(`webhook delivery edge cases (${dialect})`, () => {
    let server: TestServer;
    let fast: Receiver;
    let slow: Receiver;
    let releaseSlow: () => void = () => {};

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50', ARKIV_WEBHOOK_CONCURRENCY: '4', ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY: '2' });
      fast = await startReceiver();
      const stalled = new Promise<void>((resolve) => (releaseSlow = resolve));
      slow = await startReceiver(async (_r, res) => {
        await stalled;
        res.end('late');
      });
    });
    after(async () => {
      releaseSlow();
      await server.stop();
      await fast.close();
      await slow.close();
    });

    it('a stalled endpoint holds only its own slots: other endpoints get every delivery', async () => {
      const a = await createWebhook(server, { url: slow.url });
      const b = await createWebhook(server, { url: fast.url });
      for (let i = 0; i < 10; i++) await uploadReport(server, { projectName: `Isolation ${i}` });
      await fast.waitFor((r) => r.length === 10);
      assert.equal(slow.received.length, 2, 'the stalled endpoint holds exactly its per-endpoint limit');
      releaseSlow();
      await slow.waitFor((r) => r.length === 10);
      for (const { id } of [a, b]) await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('does not follow redirects: a 3xx is a failed attempt and the other location gets nothing', async () => {
      const redirecting = await startReceiver((_r, res) => {
        res.writeHead(307, { location: fast.url });
        res.end();
      });
      const { id } = await createWebhook(server, { url: redirecting.url });
      const before = fast.received.length;
      await uploadReport(server, { projectName: 'Redirect' });
      await redirecting.waitFor((r) => r.length === 1);
      const deliveryId = String(redirecting.received[0]!.headers['x-arkiv-webhook-delivery']);
      const row = await eventually(async () => {
        const r = await deliveryRow(server, deliveryId);
        return r.attempts === 1 ? r : undefined;
      });
      assert.equal(row.last_status, 307);
      assert.equal(row.status, 'pending', 'retried later like any failure');
      assert.equal(fast.received.length, before);
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
      await redirecting.close();
    });

    it('reads at most 64 KiB of a response and keeps a short excerpt', async () => {
      const chatty = await startReceiver((_r, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        // 8 MiB, written as the socket accepts it: the dispatcher must stop reading long before.
        let left = 128;
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (left > 0) {
            left--;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
      });
      const { id } = await createWebhook(server, { url: chatty.url });
      await uploadReport(server, { projectName: 'Chatty' });
      await chatty.waitFor((r) => r.length === 1);
      const deliveryId = String(chatty.received[0]!.headers['x-arkiv-webhook-delivery']);
      const row = await eventually(async () => {
        const r = await deliveryRow(server, deliveryId);
        return r.status === 'succeeded' ? r : undefined;
      });
      assert.equal(row.attempts, 1);
      const shown = await api(server, 'GET', `/api/orgs/${server.orgId}/deliveries/${deliveryId}`);
      assert.equal(shown.body.attemptLog[0].responseBody.length, 4096);
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
      await chatty.close();
    });
  });

  describe(`graceful shutdown (${dialect})`, () => {
    it('releases in-flight deliveries without counting an attempt', async () => {
      const server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50' });
      const hanging = await startReceiver(() => new Promise(() => {}));
      try {
        await createWebhook(server, { url: hanging.url });
        await uploadReport(server, { projectName: 'Shutdown' });
        await hanging.waitFor((r) => r.length === 1);
        const deliveryId = String(hanging.received[0]!.headers['x-arkiv-webhook-delivery']);
        for (const worker of server.ctx.workers) await worker.stop();
        const row = await deliveryRow(server, deliveryId);
        assert.equal(row.status, 'pending');
        assert.equal(row.attempts, 0, 'an interrupted attempt is not an attempt');
        assert.equal(row.lease_owner, null);
        assert.ok(row.next_attempt_at <= Date.now(), 'due again at once, for any worker');
      } finally {
        await server.stop();
        await hanging.close();
      }
    });
  });
}

for (const dialect of testDialects) {
  describe(`deliveries waiting past their lease (${dialect})`, () => {
    it('are renewed by the claim that finds them due again, never queued and sent a second time', async () => {
      // Lease 1.5 s (500 ms deadline + 1 s); one request at a time, 80 ms each: the last of 30
      // waits at least 2.3 s for its turn, so the polls re-lease waiting deliveries to this process.
      // The deadline is six times the receiver's pace so a loaded machine does not turn a slow
      // answer into a timeout and a legitimate second attempt.
      const server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50', ARKIV_WEBHOOK_TIMEOUT_MS: '500', ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY: '1' });
      const paced = await startReceiver(async (_r, res) => {
        await new Promise((resolve) => setTimeout(resolve, 80));
        res.end('ok');
      });
      try {
        await createWebhook(server, { url: paced.url });
        // Uploaded together so the backlog forms whatever the upload pace on a busy machine.
        await Promise.all(Array.from({ length: 30 }, (_, i) => uploadReport(server, { projectName: `Lease ${i}` })));
        await paced.waitFor((r) => r.length >= 30);
        // Time for any second copy still queued to be sent.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const ids = paced.received.map((r) => String(r.headers['x-arkiv-webhook-delivery']));
        assert.equal(new Set(ids).size, 30);
        assert.equal(ids.length, 30, 'each delivery sent once');
      } finally {
        await server.stop();
        await paced.close();
      }
    });
  });
}
