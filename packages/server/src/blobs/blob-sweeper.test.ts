import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import yauzl from 'yauzl';
import { htmlBytes, pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';
import type { BackgroundWorker } from '../context.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { BLOB_GRACE_MS, BlobSweeper, SWEEP_LOCK_ID, installBlobSweeper, sweepBlobs } from './blob-sweeper.js';
import { blobKeyFor } from './blob-store.js';
import { stageStream } from './staging.js';
import { reportBlobReferences } from '../reports/report-blob-references.js';

const HOUR = 3_600_000;
const keyOf = (bytes: Buffer) => blobKeyFor(crypto.createHash('sha256').update(bytes).digest('hex'));

const variants = [
  ...(testDialects.includes('sqlite') ? [{ dialect: 'sqlite' as const, blobStore: 'fs' }] : []),
  ...(testDialects.includes('postgres') ? [{ dialect: 'postgres' as const, blobStore: 'fs' }, { dialect: 'postgres' as const, blobStore: 'postgres' }] : []),
];

for (const { dialect, blobStore } of variants) {
  describe(`blob sweeper on ${dialect} with ${blobStore} blobs`, () => {
    let server: TestServer;
    /** The sweeper's clock runs this far ahead of the real one (blob ages come from the real one). */
    let ahead = 0;
    before(async () => {
      server = await startTestServer(dialect, { ARKIV_BLOB_SWEEP_INTERVAL_MIN: '0', ARKIV_BLOB_STORE: blobStore }, (ctx) => {
        ctx.now = () => Date.now() + ahead;
      });
    });
    after(async () => server.stop());

    /** One sweep as it would run `hoursLater` hours from now. */
    const sweepAt = async (hoursLater: number) => {
      ahead = hoursLater * HOUR;
      try {
        const result = await sweepBlobs(server.ctx, reportBlobReferences(server.ctx.db));
        assert.equal(result.swept, true);
        return result;
      } finally {
        ahead = 0;
      }
    };
    const has = (bytes: Buffer) => server.ctx.blobs.has(keyOf(bytes));

    const upload = async (version: string, html: Buffer, pdf: Buffer, expected = 201) => {
      const response = await fetch(`${server.url}/security/report`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.tokens.upload}` },
        body: uploadForm(sampleFields({ projectName: 'Sweep', projectVersion: version }), { html, pdf }),
      });
      const body = (await response.json()) as { id: string };
      assert.equal(response.status, expected, JSON.stringify(body));
      return body.id;
    };
    const remove = async (id: string) => {
      const response = await fetch(`${server.url}/security/report/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(response.status, 204);
    };
    const putLoose = async (bytes: Buffer) => server.ctx.blobs.put(await stageStream(Readable.from([bytes]), server.ctx.stagingDir, 1 << 20));

    it('deletes an old unreferenced blob; keeps referenced ones and young unreferenced ones', async () => {
      const html = htmlBytes(`kept ${crypto.randomUUID()}`);
      const pdf = pdfBytes(`kept ${crypto.randomUUID()}`);
      await upload(`1.${crypto.randomInt(1e6)}.0`, html, pdf);
      const loose = Buffer.from(`published, not yet referenced ${crypto.randomUUID()}`);
      await putLoose(loose);

      const now = await sweepAt(0);
      assert.equal(now.deletedBlobs, 0);
      assert.equal(await has(loose), true, 'younger than the grace period: a concurrent upload may be about to reference it');

      const halfGrace = await sweepAt(BLOB_GRACE_MS / HOUR / 2);
      assert.equal(halfGrace.deletedBlobs, 0);
      assert.equal(await has(loose), true);

      const later = await sweepAt(2);
      assert.ok(later.deletedBlobs >= 1);
      assert.equal(await has(loose), false);
      assert.equal(await has(html), true);
      assert.equal(await has(pdf), true);
    });

    /** Makes a blob look published `ms` ago in the store itself (what time does, without waiting). */
    const age = async (bytes: Buffer, ms: number) => {
      const key = keyOf(bytes);
      if (blobStore === 'postgres') {
        await server.ctx.db.updateTable('blobs').set({ created_at: Date.now() - ms }).where('blob_key', '=', key).execute();
        return;
      }
      const hash = key.slice('sha256/'.length);
      const then = new Date(Date.now() - ms);
      fs.utimesSync(path.join(server.ctx.config.dataDir, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash), then, then);
    };

    it('an old blob published again (an upload about to reference the same bytes) counts as young', async () => {
      const republished = Buffer.from(`re-published ${crypto.randomUUID()}`);
      const forgotten = Buffer.from(`forgotten ${crypto.randomUUID()}`);
      await putLoose(republished);
      await putLoose(forgotten);
      await age(republished, 2 * HOUR);
      await age(forgotten, 2 * HOUR);
      await putLoose(republished);
      const result = await sweepAt(0);
      assert.equal(result.deletedBlobs, 1);
      assert.equal(await has(forgotten), false);
      assert.equal(await has(republished), true);
    });

    it('keeps a blob two reports share until both are gone', async () => {
      const shared = pdfBytes(`shared ${crypto.randomUUID()}`);
      const firstHtml = htmlBytes(`first ${crypto.randomUUID()}`);
      const secondHtml = htmlBytes(`second ${crypto.randomUUID()}`);
      const first = await upload(`2.${crypto.randomInt(1e6)}.0`, firstHtml, shared);
      const second = await upload(`3.${crypto.randomInt(1e6)}.0`, secondHtml, shared);

      await remove(first);
      await sweepAt(2);
      assert.equal(await has(firstHtml), false);
      assert.equal(await has(shared), true, 'the second report still references it');
      assert.equal(await has(secondHtml), true);

      await remove(second);
      await sweepAt(2);
      assert.equal(await has(shared), false);
      assert.equal(await has(secondHtml), false);
    });

    it('reclaims the old blobs of a report replaced through the upload API; the new ones download intact', async () => {
      const version = `4.${crypto.randomInt(1e6)}.0`;
      const [oldHtml, oldPdf] = [htmlBytes(`old ${crypto.randomUUID()}`), pdfBytes(`old ${crypto.randomUUID()}`)];
      const [newHtml, newPdf] = [htmlBytes(`new ${crypto.randomUUID()}`), pdfBytes(`new ${crypto.randomUUID()}`)];
      const id = await upload(version, oldHtml, oldPdf);
      assert.equal(await upload(version, newHtml, newPdf, 200), id, 'replaced, same id');

      await sweepAt(2);
      assert.equal(await has(oldHtml), false);
      assert.equal(await has(oldPdf), false);

      const response = await fetch(`${server.url}/security/report/files?org=${server.orgId}&reports=${id}`);
      assert.equal(response.status, 200);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-sweep-'));
      try {
        const file = path.join(dir, 'files.zip');
        fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
        // The uploaded files only: not the manifest nor the generated findings.sarif.
        const files = (await readZip(file)).filter((e) => !e.name.startsWith('manifest.json') && !e.name.endsWith('/findings.sarif')).map((e) => e.bytes);
        assert.deepEqual(files.map(keyOf).sort(), [keyOf(newHtml), keyOf(newPdf)].sort());
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('removes staging leftovers older than the grace period, and only those', async () => {
      fs.mkdirSync(server.ctx.stagingDir, { recursive: true });
      const stale = path.join(server.ctx.stagingDir, `upload-${crypto.randomUUID()}.part`);
      const inFlight = path.join(server.ctx.stagingDir, `upload-${crypto.randomUUID()}.part`);
      fs.writeFileSync(stale, 'left by a crash');
      fs.writeFileSync(inFlight, 'still being written');
      const then = new Date(Date.now() - 2 * HOUR);
      fs.utimesSync(stale, then, then);
      const result = await sweepAt(0);
      assert.equal(result.deletedStagingFiles, 1);
      assert.equal(fs.existsSync(stale), false);
      assert.equal(fs.existsSync(inFlight), true);
      fs.rmSync(inFlight);
    });

    if (dialect === 'postgres') {
      it('skips the round while another process holds the sweep lock', async () => {
        const loose = Buffer.from(`locked out ${crypto.randomUUID()}`);
        await putLoose(loose);
        const other = new pg.Client({ connectionString: server.database.databaseUrl });
        await other.connect();
        try {
          await other.query('begin');
          const held = await other.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1::bigint) as locked', [SWEEP_LOCK_ID]);
          assert.equal(held.rows[0]!.locked, true);
          ahead = 2 * HOUR;
          const skipped = await sweepBlobs(server.ctx, reportBlobReferences(server.ctx.db));
          ahead = 0;
          assert.deepEqual(skipped, { swept: false, candidates: 0, deletedBlobs: 0, deletedStagingFiles: 0 });
          assert.equal(await has(loose), true);
          await other.query('commit');
        } finally {
          await other.end();
        }
        await sweepAt(2);
        assert.equal(await has(loose), false);
      });
    }
  });
}

describe('blob sweeper worker', () => {
  it('is installed only when the interval is above 0, and stops cleanly before its first sweep', async () => {
    const server = await startTestServer(testDialects[0] ?? 'sqlite', { ARKIV_BLOB_SWEEP_INTERVAL_MIN: '0' });
    try {
      assert.equal(server.ctx.workers.some((w) => w instanceof BlobSweeper), false);
      const ctx = { ...server.ctx, workers: [] as BackgroundWorker[], config: { ...server.ctx.config, blobSweepIntervalMin: 15 } };
      installBlobSweeper(ctx, reportBlobReferences(ctx.db));
      assert.equal(ctx.workers.length, 1);
      const worker = ctx.workers[0]! as BlobSweeper;
      worker.start();
      await worker.stop();
      const result = await worker.runOnce();
      assert.equal(result?.swept, true);
    } finally {
      await server.stop();
    }
  });
});

/** Every entry of a ZIP, read with yauzl (CRC-32 and sizes checked by the reader). */
async function readZip(file: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true });
  const entries: Array<{ name: string; bytes: Buffer }> = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const chunks: Buffer[] = [];
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      entries.push({ name: entry.fileName, bytes: Buffer.concat(chunks) });
    }
  } finally {
    zip.close();
  }
  return entries;
}
