import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, createWebhook, eventually, startReceiver, uploadReport, type Receiver } from '../webhooks/test-support.js';

/** The value of one sample of the Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

for (const dialect of testDialects) {
  describe(`metrics for on-call (${dialect})`, () => {
    let server: TestServer;
    let ok: Receiver;
    let failing: Receiver;
    const scrape = async () => (await fetch(`${server.url}/metrics`)).text();

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50' });
      ok = await startReceiver();
      failing = await startReceiver((_r, res) => {
        res.statusCode = 500;
        res.end('down');
      });
    });
    after(async () => {
      await server.stop();
      await ok.close();
      await failing.close();
    });

    it('shows queue depth and lag, attempts by outcome, delivery latency, disabled endpoints, pool waits and blob errors', async () => {
      await createWebhook(server, { url: ok.url });
      await createWebhook(server, { url: failing.url });
      const disabled = await createWebhook(server, { url: `${ok.url}?disabled` });
      assert.equal((await api(server, 'PATCH', `/api/orgs/${server.orgId}/webhooks/${disabled.id}`, { enabled: false })).status, 200);
      const report = await uploadReport(server, { projectName: 'Metrics' });
      await ok.waitFor((r) => r.length === 1);
      await failing.waitFor((r) => r.length === 1);
      // The failed delivery stays pending (a retry in an hour): wait until its result is recorded.
      await eventually(async () => {
        const rows = await server.ctx.db.selectFrom('webhook_deliveries').select(['status', 'attempts', 'lease_owner']).execute();
        return rows.length === 2 && rows.every((r) => r.attempts === 1 && r.lease_owner === null) ? true : undefined;
      }, 15_000, 'both attempts recorded');
      // A job of a kind no worker handles, due a minute ago: the jobs queue lags by a minute.
      const now = Date.now();
      await server.ctx.db.insertInto('jobs').values({
        id: crypto.randomUUID(), kind: 'nobody-handles-this', org_id: null, payload: 'null', status: 'queued', attempts: 0, max_attempts: 1,
        run_at: now - 60_000, locked_until: null, locked_by: null, last_error: null, created_at: now - 60_000, updated_at: now - 60_000,
      }).execute();
      // A blob removed behind the store's back: downloading it fails, and is counted.
      const pdf = await server.ctx.db.selectFrom('report_files').select('sha256').where('report_id', '=', report.id).where('kind', '=', 'pdf').executeTakeFirstOrThrow();
      fs.rmSync(path.join(server.database.dataDir, 'blobs', 'sha256', pdf.sha256.slice(0, 2), pdf.sha256.slice(2, 4), pdf.sha256));
      const broken = await fetch(`${server.url}/api/orgs/${server.orgId}/reports/${report.id}/files/pdf`, { headers: { authorization: `Bearer ${server.tokens.read}` } });
      await broken.arrayBuffer().catch(() => {});

      const text = await scrape();
      assert.equal(sample(text, 'arkiv_queue_pending', { queue: 'webhook_deliveries' }), 1, 'the failed delivery waits for its retry');
      assert.equal(sample(text, 'arkiv_queue_due', { queue: 'webhook_deliveries' }), 0, 'but is not due yet');
      assert.equal(sample(text, 'arkiv_queue_oldest_due_seconds', { queue: 'webhook_deliveries' }), 0);
      assert.equal(sample(text, 'arkiv_queue_pending', { queue: 'jobs' }), 1);
      assert.equal(sample(text, 'arkiv_queue_due', { queue: 'jobs' }), 1);
      const lag = sample(text, 'arkiv_queue_oldest_due_seconds', { queue: 'jobs' })!;
      assert.ok(lag >= 60 && lag < 600, `jobs lag ${lag}`);
      assert.equal(sample(text, 'arkiv_webhook_attempts_total', { outcome: 'success' }), 1);
      assert.equal(sample(text, 'arkiv_webhook_attempts_total', { outcome: 'http_5xx' }), 1);
      assert.equal(sample(text, 'arkiv_webhook_delivery_latency_seconds_count'), 1, 'one delivery succeeded end to end');
      assert.equal(sample(text, 'arkiv_webhook_endpoints_disabled', { reason: 'manual' }), 1);
      assert.equal(sample(text, 'arkiv_webhook_endpoints_disabled', { reason: 'failing' }), 0);
      assert.equal(sample(text, 'arkiv_blob_store_errors_total', { store: 'fs', operation: 'read' }), 1);
      if (dialect === 'postgres') {
        assert.ok(sample(text, 'arkiv_db_pool_wait_seconds_count')! > 0, 'pool waits are timed');
        assert.ok(sample(text, 'arkiv_db_pool_connections', { state: 'total' })! >= 1);
      } else {
        assert.equal(sample(text, 'arkiv_db_pool_wait_seconds_count'), 0, 'SQLite has no pool');
      }
    });
  });
}
