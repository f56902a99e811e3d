import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, manualClock, startReceiver, uploadReport, type Receiver } from './test-support.js';

const HOUR = 3_600_000;
const hmac = (secret: string, body: Buffer) => crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');

for (const dialect of testDialects) {
  describe(`webhook secret rotation (${dialect})`, () => {
    const clock = manualClock(Date.now());
    let server: TestServer;
    let receiver: Receiver;

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50' }, clock.install);
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    const nextRequest = async (projectName: string) => {
      const before = receiver.received.length;
      await uploadReport(server, { projectName });
      return (await receiver.waitFor((r) => r.length > before))[before]!;
    };

    it('signs with both secrets during the grace period, then with the new one only', async () => {
      const { id, secret: oldSecret } = await createWebhook(server, { url: receiver.url });
      const base = `/api/orgs/${server.orgId}/webhooks/${id}`;
      const rotated = await api(server, 'POST', `${base}/secret/rotate`, {});
      assert.equal(rotated.status, 200);
      const newSecret: string = rotated.body.secret;
      assert.notEqual(newSecret, oldSecret);
      assert.equal(rotated.body.previousSecret, oldSecret);

      const during = await nextRequest('During grace');
      assert.equal(during.headers['x-arkiv-webhook-signature'], `${hmac(newSecret, during.body)},${hmac(oldSecret, during.body)}`);

      const revealed = await api(server, 'GET', `${base}/secret`);
      assert.deepEqual([revealed.body.secret, revealed.body.previousSecret], [newSecret, oldSecret]);

      clock.now += 24 * HOUR + 1;
      const afterGrace = await nextRequest('After grace');
      assert.equal(afterGrace.headers['x-arkiv-webhook-signature'], hmac(newSecret, afterGrace.body));
      assert.equal((await api(server, 'GET', `${base}/secret`)).body.previousSecret, null);
      await api(server, 'DELETE', base);
    });

    it('sends two Standard Webhooks signatures that each verify with the standardwebhooks package', async () => {
      clock.now = Date.now();
      const { id, secret: oldSecret } = await createWebhook(server, { url: receiver.url, signatureScheme: 'standard-webhooks' });
      const rotated = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks/${id}/secret/rotate`, { graceHours: 1 });
      const request = await nextRequest('Standard rotation');
      const headers = {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      };
      assert.equal(headers['webhook-signature'].split(' ').length, 2);
      // The package checks the timestamp against the real clock: verify at the moment it was signed.
      for (const secret of [rotated.body.secret as string, oldSecret]) {
        assert.doesNotThrow(() => new Webhook(secret).verify(request.body.toString(), headers));
      }
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('stores secrets sealed, never in clear', async () => {
      const { id, secret } = await createWebhook(server, { url: receiver.url });
      const row = await server.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(secret));
      assert.equal(server.ctx.secrets.open(row.secret_sealed), secret);
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });
  });
}
