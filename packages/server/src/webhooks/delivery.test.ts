import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, startReceiver, uploadReport, type Receiver } from './test-support.js';

// Signatures are checked here by implementations independent of @arkiv/client: node:crypto for
// arkiv and nexus-iq, the `standardwebhooks` package for Standard Webhooks.
const hmacHex = (algorithm: 'sha1' | 'sha256', secret: string, body: Buffer) => crypto.createHmac(algorithm, Buffer.from(secret, 'utf8')).update(body).digest('hex');

for (const dialect of testDialects) {
  describe(`webhook delivery (${dialect})`, () => {
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

    it('delivers report.created with the seed payload, signed with the arkiv scheme', async () => {
      const { id: webhookId, secret } = await createWebhook(server, { url: receiver.url });
      assert.match(secret, /^[0-9a-f]{64}$/);
      const report = await uploadReport(server, { projectName: 'Arkiv scheme' });
      const [request] = await receiver.waitFor((r) => r.some((x) => x.headers['x-arkiv-webhook-id'] === 'report.created'));
      assert.ok(request);
      const h = request.headers;
      assert.equal(h['x-arkiv-webhook-signature'], hmacHex('sha256', secret, request.body));
      assert.equal(h['x-arkiv-webhook-signature-algorithm'], 'HmacSHA256');
      assert.equal(h['content-type'], 'application/json; charset=UTF-8');
      assert.match(String(h['user-agent']), /^Arkiv\/\d+\.\d+\.\d+/);
      assert.match(String(h['x-arkiv-webhook-delivery']), /^[0-9a-f-]{36}$/);
      assert.ok(Math.abs(Number(h['x-arkiv-webhook-timestamp']) - Date.now() / 1000) < 60);
      const body = JSON.parse(request.body.toString('utf8'));
      // Seed 000's body, plus report.created's findingsDelta (open findings new and fixed per report id).
      assert.deepEqual(Object.keys(body), ['organizationId', 'reports', 'findingsDelta', 'type', 'timestamp', 'initiator']);
      assert.equal(body.organizationId, server.orgId);
      assert.equal(body.type, 'report.created');
      assert.match(body.initiator, /^token:/);
      assert.match(body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
      assert.equal(body.reports.length, 1);
      assert.deepEqual(Object.keys(body.reports[0]).sort(), ['date', 'id', 'projectName', 'projectVersion', 'reportType', 'reportVersion', 'securityRating', 'uploadDate', 'vulnerabilitiesCount']);
      assert.equal(body.reports[0].id, report.id);
      assert.deepEqual(body.findingsDelta, { [report.id]: { new: 0, fixed: 0, previousVersion: null } });

      const log = await api(server, 'GET', `/api/orgs/${server.orgId}/webhooks/${webhookId}/deliveries`);
      assert.equal(log.status, 200);
      assert.equal(log.body.deliveries[0].id, h['x-arkiv-webhook-delivery']);
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${webhookId}`);
    });

    it('signs standard-webhooks deliveries so the standardwebhooks package verifies them', async () => {
      const { id, secret } = await createWebhook(server, { url: receiver.url, signatureScheme: 'standard-webhooks' });
      assert.match(secret, /^whsec_/);
      const before = receiver.received.length;
      await uploadReport(server, { projectName: 'Standard scheme' });
      const [request] = (await receiver.waitFor((r) => r.length > before)).slice(before);
      const verified = new Webhook(secret).verify(request!.body.toString('utf8'), {
        'webhook-id': String(request!.headers['webhook-id']),
        'webhook-timestamp': String(request!.headers['webhook-timestamp']),
        'webhook-signature': String(request!.headers['webhook-signature']),
      }) as { type: string };
      assert.equal(verified.type, 'report.created');
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    for (const algorithm of ['HmacSHA1', 'HmacSHA256'] as const) {
      it(`signs nexus-iq deliveries with ${algorithm} under the X-Nexus-Webhook-* headers`, async () => {
        const { id, secret } = await createWebhook(server, { url: receiver.url, signatureScheme: 'nexus-iq', signatureAlgorithm: algorithm });
        const before = receiver.received.length;
        await uploadReport(server, { projectName: `Nexus ${algorithm}` });
        const [request] = (await receiver.waitFor((r) => r.length > before)).slice(before);
        const h = request!.headers;
        assert.equal(h['x-nexus-webhook-id'], 'report.created');
        assert.equal(h['x-nexus-webhook-signature-algorithm'], algorithm);
        assert.equal(h['x-nexus-webhook-signature'], hmacHex(algorithm === 'HmacSHA1' ? 'sha1' : 'sha256', secret, request!.body));
        await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
      });
    }
  });
}
