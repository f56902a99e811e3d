import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, deliveryRow, eventually, startReceiver, uploadReport, type Receiver } from './test-support.js';

// Every refused range, IPv6 and IPv4-mapped forms, and a host name that resolves to loopback.
const REFUSED = [
  'http://127.0.0.1/hook',
  'http://127.1.2.3:8080/hook',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://192.168.0.10/',
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.10.10/',
  'http://100.64.0.1/',
  'http://224.0.0.1/',
  'http://0.0.0.0/',
  'http://[::1]/',
  'http://[::]/',
  'http://[fc00::1]/',
  'http://[fd12:3456::1]/',
  'http://[fe80::1]/',
  'http://[ff02::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://localhost:9/',
  'ftp://example.com/',
  'http://user:pass@example.com/',
  'not a url',
];

for (const dialect of testDialects) {
  describe(`webhook target guard (${dialect})`, () => {
    let server: TestServer;
    let receiver: Receiver;

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_ALLOW_PRIVATE: '0', ARKIV_WEBHOOK_POLL_MS: '50' });
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('refuses private, loopback, link-local, CGNAT, multicast and unspecified targets on create and update', async () => {
      for (const url of REFUSED) {
        const created = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, { url });
        assert.equal(created.status, 400, url);
        assert.equal(created.body.code, 'webhook_target_refused', url);
        assert.ok(!created.body.message.includes('user:pass'), 'messages never echo credentials');
      }
      // An endpoint saved earlier (say, before its DNS changed) cannot be pointed at a refused target either.
      const id = crypto.randomUUID();
      await insertEndpoint(server, id, 'https://93.184.215.14/hook');
      const updated = await api(server, 'PATCH', `/api/orgs/${server.orgId}/webhooks/${id}`, { url: 'http://[::ffff:192.168.1.1]/' });
      assert.equal(updated.status, 400);
      assert.equal(updated.body.code, 'webhook_target_refused');
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });

    it('refuses at connect time: a delivery to a target that now resolves to loopback is a failed attempt, and nothing is sent', async () => {
      const id = crypto.randomUUID();
      // As if the name resolved publicly when saved and to loopback now (DNS rebinding).
      await insertEndpoint(server, id, receiver.url.replace('127.0.0.1', 'localhost'));
      await uploadReport(server, { projectName: 'Rebinding' });
      const delivery = await eventually(async () => {
        const row = await server.ctx.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', id).executeTakeFirst();
        return row && row.attempts === 1 ? row : undefined;
      });
      assert.match(String(delivery.last_error), /target refused/);
      assert.equal((await deliveryRow(server, delivery.id)).status, 'pending', 'a refused target is an ordinary failed attempt, retried later');
      assert.equal(receiver.received.length, 0);
      await api(server, 'DELETE', `/api/orgs/${server.orgId}/webhooks/${id}`);
    });
  });
}

async function insertEndpoint(server: TestServer, id: string, url: string): Promise<void> {
  const now = Date.now();
  await server.ctx.db
    .insertInto('webhook_endpoints')
    .values({
      id,
      org_id: server.orgId,
      url,
      description: '',
      enabled: 1,
      events: JSON.stringify(['report.created']),
      filters: null,
      signature_scheme: 'arkiv',
      signature_algorithm: null,
      retry_policy: null,
      secret_sealed: server.ctx.secrets.seal('s'.repeat(64)),
      previous_secret_sealed: null,
      previous_secret_expires_at: null,
      failing_since: null,
      disabled_at: null,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
}
