import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import yauzl from 'yauzl';
import { createApiToken } from './accounts/tokens.js';
import { loadConfig } from './config.js';
import { createContext, type AppContext } from './context.js';
import { createOrganization } from './orgs/org-store.js';
import { htmlBytes, pdfBytes, sampleFields, uploadForm } from './test/fixtures.js';
import { S3_CREDENTIALS, startS3Server, type TestS3Server } from './test/s3-server.js';
import { startArkivProcess, startServeProcess, type ServeProcess } from './test/serve-process.js';
import { createTestDatabase, testDialects, type TestDatabase } from './test/test-database.js';
import { createEndpoint } from './webhooks/endpoint-store.js';
import { startReceiver, TEST_SECRET_KEY, type Receiver } from './webhooks/test-support.js';

const UPLOADS = 36;
const ENDPOINTS = 3;
const CONCURRENCY = 4;

interface Uploaded {
  id: string;
  html: Buffer;
  pdf: Buffer;
}

/** Every entry of a ZIP, read with yauzl (CRC-32 and sizes checked by the reader). */
async function zipEntries(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, validateEntrySizes: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  }
  await zip.close();
  return entries;
}

// The scale-out shape of issue 13: API replicas and worker processes apart, one PostgreSQL, S3 blobs.
if (testDialects.includes('postgres')) {
  describe('two API processes and two workers on one PostgreSQL with S3 blobs', () => {
    let database: TestDatabase;
    let s3: TestS3Server;
    let ctx: AppContext;
    let receiver: Receiver;
    let dir: string;
    const apis: ServeProcess[] = [];
    const workers: ServeProcess[] = [];

    before(async () => {
      database = await createTestDatabase('postgres');
      s3 = await startS3Server();
      // This process's own store takes its keys from the SDK's default chain, as the children do.
      process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-scale-out-'));
      // Each delivery takes a few ms, so both workers have deliveries in flight at once.
      receiver = await startReceiver((_r, res) => void setTimeout(() => res.end('ok'), 3));
    });
    after(async () => {
      for (const api of [...workers, ...apis]) {
        api.child.kill('SIGKILL');
        await api.exited;
      }
      await receiver.close();
      await ctx?.database.close();
      await s3.close();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('delivers every event exactly once per endpoint and serves every file byte-identical', { timeout: 240_000 }, async () => {
      const env = {
        ...process.env,
        DATABASE_URL: database.databaseUrl!,
        ARKIV_SECRET_KEY: TEST_SECRET_KEY,
        ARKIV_WEBHOOK_ALLOW_PRIVATE: '1',
        ARKIV_LOG_LEVEL: 'warn',
        ARKIV_BLOB_STORE: 's3',
        ARKIV_S3_BUCKET: s3.bucket,
        ARKIV_S3_PREFIX: 'scale-out/',
        ARKIV_S3_REGION: 'us-east-1',
        ARKIV_S3_ENDPOINT: s3.endpoint,
        ARKIV_S3_FORCE_PATH_STYLE: '1',
        AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      // This process only prepares the organisation and reads the outcome: it runs no worker.
      ctx = await createContext(loadConfig({ ...env, ARKIV_DATA_DIR: path.join(dir, 'setup') }));
      const org = await createOrganization(ctx.db, { name: 'Scale-out' });
      const token = (await createApiToken(ctx.db, { orgId: org.id, name: 'scale-out', scopes: ['upload'] })).token;
      for (let i = 0; i < ENDPOINTS; i++) await createEndpoint(ctx, org.id, { url: `${receiver.url}?endpoint=${i}` });

      // Each process has a data dir of its own: they share only PostgreSQL and the bucket.
      for (let i = 0; i < 2; i++) {
        apis.push(await startServeProcess(['serve', '--no-worker'], { ...env, ARKIV_HOST: '127.0.0.1', ARKIV_PORT: '0', ARKIV_DATA_DIR: path.join(dir, `api-${i}`) }));
      }
      // Workers serve /metrics on a port of their own (they have no API).
      for (let i = 0; i < 2; i++) {
        workers.push(await startArkivProcess(['worker'], { ...env, ARKIV_HOST: '127.0.0.1', ARKIV_METRICS_PORT: '0', ARKIV_DATA_DIR: path.join(dir, `worker-${i}`) }, /metrics on (\S+)\/metrics/));
      }
      const crashed = Promise.race([...apis, ...workers].map((p) => p.exited.then((code) => Promise.reject(new Error(`arkiv exited with ${code}: ${p.output()}`)))));
      crashed.catch(() => {});

      const uploaded: Uploaded[] = [];
      const auth = { authorization: `Bearer ${token}` };
      const upload = async (n: number) => {
        // Sizes from a few KiB to over a MiB, random bytes so no two blobs are alike.
        const html = htmlBytes(`Report ${n} ${crypto.randomBytes(8).toString('hex')}`);
        const pdf = pdfBytes(`Report ${n}`, crypto.randomBytes(n % 3 === 0 ? 1_200_000 + n : 4096 + n * 100));
        const api = apis[n % 2]!;
        const response = await fetch(`${api.url}/security/report`, {
          method: 'POST', headers: auth, body: uploadForm(sampleFields({ projectName: `Product ${n}`, projectVersion: `1.${n}` }), { html, pdf }),
        });
        assert.equal(response.status, 201, await response.clone().text());
        uploaded.push({ id: ((await response.json()) as { id: string }).id, html, pdf });
      };
      const checkDownload = async (report: Uploaded, n: number) => {
        // From the other replica than a round-robin upload would use, to prove nothing is local.
        const api = apis[(n + 1) % 2]!;
        for (const [kind, bytes] of [['html', report.html], ['pdf', report.pdf]] as const) {
          const response = await fetch(`${api.url}/api/orgs/${org.id}/reports/${report.id}/files/${kind}`, { headers: auth });
          assert.equal(response.status, 200);
          assert.ok(Buffer.from(await response.arrayBuffer()).equals(bytes), `${kind} of ${report.id} is byte-identical`);
        }
      };

      // Uploads and downloads at once: each lane uploads, then downloads something already stored.
      let next = 0;
      let downloads = 0;
      const lane = async () => {
        while (next < UPLOADS) {
          const n = next++;
          await upload(n);
          const earlier = uploaded[Math.floor(Math.random() * uploaded.length)]!;
          await checkDownload(earlier, n);
          downloads++;
        }
      };
      await Promise.race([Promise.all(Array.from({ length: CONCURRENCY }, lane)), crashed]);
      assert.equal(uploaded.length, UPLOADS);

      // Every report again, and one ZIP of all of them, each entry compared with what was sent.
      for (const [n, report] of uploaded.entries()) await checkDownload(report, n);
      const zipResponse = await fetch(`${apis[1]!.url}/security/report/files?org=${org.id}${uploaded.map((r) => `&reports=${r.id}`).join('')}`, { headers: auth });
      assert.equal(zipResponse.status, 200);
      const zipFile = path.join(dir, 'all.zip');
      fs.writeFileSync(zipFile, Buffer.from(await zipResponse.arrayBuffer()));
      const entries = [...(await zipEntries(zipFile)).values()];
      for (const report of uploaded) {
        assert.ok(entries.some((e) => e.equals(report.pdf)), `the ZIP holds ${report.id}'s PDF`);
        assert.ok(entries.some((e) => e.equals(report.html)), `the ZIP holds ${report.id}'s HTML`);
      }

      const total = UPLOADS * ENDPOINTS;
      await Promise.race([receiver.waitFor((r) => r.length >= total, 120_000), crashed]);
      // Let anything sent twice arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const deliveryIds = receiver.received.map((r) => String(r.headers['x-arkiv-webhook-delivery']));
      assert.equal(new Set(deliveryIds).size, total, 'one delivery per event and endpoint');
      assert.equal(deliveryIds.length, total, 'none sent twice');
      for (let i = 0; i < ENDPOINTS; i++) {
        const reportIds = receiver.received
          .filter((r) => r.url.endsWith(`?endpoint=${i}`))
          .map((r) => (JSON.parse(r.body.toString('utf8')) as { reports: { id: string }[] }).reports[0]!.id);
        assert.deepEqual(reportIds.sort(), uploaded.map((r) => r.id).sort(), `endpoint ${i} got every report's event once`);
      }
      const byWorker = await ctx.db.selectFrom('webhook_attempts').select(['worker', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('worker').execute();
      // The workers' own /metrics add up to what the receiver saw.
      let successes = 0;
      let timed = 0;
      for (const worker of workers) {
        const text = await (await fetch(`${worker.url}/metrics`)).text();
        successes += Number(/^arkiv_webhook_attempts_total\{outcome="success"\} (\d+)$/m.exec(text)?.[1] ?? 0);
        timed += Number(/^arkiv_webhook_delivery_latency_seconds_count (\d+)$/m.exec(text)?.[1] ?? 0);
      }
      assert.equal(successes, total, 'successful attempts on the workers\' /metrics');
      assert.equal(timed, total, 'each timed end to end');
      // Which worker wins each wake-up is a race: the split is reported, not asserted.
      console.log(`# ${UPLOADS} uploads, ${downloads + UPLOADS} file checks, ${total} deliveries; attempts per worker: ${byWorker.map((w) => w.n).join(' + ')}`);

      for (const api of [...workers, ...apis]) {
        api.child.kill('SIGTERM');
        assert.equal(await api.exited, 0);
      }
    });
  });
}
