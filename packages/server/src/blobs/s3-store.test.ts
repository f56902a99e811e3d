import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import yauzl from 'yauzl';
import { ConfigError, loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { AppError } from '../http/errors.js';
import { htmlBytes, pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';
import { S3_CREDENTIALS, startS3Server, type TestS3Server } from '../test/s3-server.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { reportBlobReferences } from '../reports/report-blob-references.js';
import { blobKeyFor } from './blob-store.js';
import { sweepBlobs } from './blob-sweeper.js';
import { S3BlobStore } from './s3-store.js';
import { stageStream } from './staging.js';

const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

let s3: TestS3Server;
let staging: string;
before(async () => {
  s3 = await startS3Server();
  staging = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-staging-'));
  // The stores built by createContext take their keys from the SDK's default chain: here, env keys.
  process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});
after(async () => {
  await s3.close();
  fs.rmSync(staging, { recursive: true, force: true });
});

const s3Env = (prefix: string, overrides: Record<string, string> = {}) => ({
  ARKIV_BLOB_STORE: 's3',
  ARKIV_S3_BUCKET: s3.bucket,
  ARKIV_S3_PREFIX: prefix,
  ARKIV_S3_REGION: 'us-east-1',
  ARKIV_S3_ENDPOINT: s3.endpoint,
  ARKIV_S3_FORCE_PATH_STYLE: '1',
  ...overrides,
});

const stage = (bytes: Buffer) => stageStream(Readable.from([bytes]), staging, 1024 * MiB);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function objectsUnder(store: S3BlobStore, prefix: string): Promise<string[]> {
  const listed = await store.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

describe('S3BlobStore specifics', () => {
  let store: S3BlobStore;
  before(() => {
    store = new S3BlobStore(s3.settings('specifics/'), { credentials: S3_CREDENTIALS, partBytes: 5 * MiB });
    // Which S3 operations the store sends, as the SDK names them.
    store.client.middlewareStack.add((next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    }, { step: 'initialize' });
  });
  const sent: string[] = [];
  after(() => store.close());

  it('uploads a blob larger than a part in parts and streams it back whole', async () => {
    const bytes = crypto.randomBytes(12 * MiB + 3);
    const staged = await stage(bytes);
    sent.length = 0;
    const key = await store.put(staged);
    assert.equal(key, blobKeyFor(sha256(bytes)));
    const head = await store.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `specifics/${key}` }));
    assert.deepEqual(sent.filter((name) => name !== 'HeadObjectCommand'), ['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand'], 'three parts: 5 + 5 + 2 MiB');
    assert.equal(head.ContentLength, bytes.length);
    assert.ok((await readAll(store.read(key))).equals(bytes));
  });

  for (const [label, size] of [['a single part', 100 * 1024], ['several parts', 11 * MiB]] as const) {
    it(`never stores bytes that differ from the staged hash (${label})`, async () => {
      const bytes = crypto.randomBytes(size);
      const staged = await stage(bytes);
      // The staged file changes after it was hashed (disk fault, another process): same size, one byte off.
      const changed = Buffer.from(bytes);
      changed[size - 10] = 255 - changed[size - 10]!;
      fs.writeFileSync(staged.path, changed);
      sent.length = 0;
      await assert.rejects(store.put(staged), /staged file changed/);
      // (@20minutes/s3rver 4.0.4 answers AbortMultipartUpload with 405; AWS S3 drops the parts.)
      if (size > 5 * MiB) assert.deepEqual([sent.includes('CompleteMultipartUploadCommand'), sent.at(-1)], [false, 'AbortMultipartUploadCommand'], 'the parts sent are dropped, never completed');
      else assert.ok(!sent.includes('PutObjectCommand'), 'the single part is never sent');
      assert.equal(await store.has(blobKeyFor(staged.sha256)), false);
      assert.deepEqual(await objectsUnder(store, `specifics/sha256/${staged.sha256}`), []);
      assert.equal(fs.existsSync(staged.path), false, 'the staged file is consumed either way');
    });
  }

  it('refuses requests signed with a wrong secret or an unknown key, as a 503 with a code', async () => {
    const key = await store.put(await stage(crypto.randomBytes(1000)));
    for (const credentials of [{ ...S3_CREDENTIALS, secretAccessKey: 'not-the-secret' }, { accessKeyId: 'NOBODY', secretAccessKey: 'S3RVER' }]) {
      const wrong = new S3BlobStore(s3.settings('specifics/'), { credentials });
      try {
        await assert.rejects(wrong.has(key), (error: unknown) => error instanceof AppError && error.status === 503 && error.code === 'blob_store_unavailable');
        await assert.rejects(readAll(wrong.read(key)), (error: unknown) => error instanceof AppError && error.code === 'blob_store_unavailable');
        await assert.rejects(wrong.put(await stage(crypto.randomBytes(1000))), (error: unknown) => error instanceof AppError && error.code === 'blob_store_unavailable');
        await assert.rejects(wrong.checkAccess(), (error: unknown) => error instanceof ConfigError && /refused the credentials/.test(error.message));
      } finally {
        wrong.close();
      }
    }
  });
});

describe('loading the AWS SDK', () => {
  /** Starts a context in a fresh process and says whether any @aws-sdk module was loaded (the SDK is CommonJS: require.cache). */
  const loadsSdk = (env: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-load-'));
      const script = `
        import { createRequire } from 'node:module';
        const { loadConfig } = await import('./packages/server/src/config.ts');
        const { createContext } = await import('./packages/server/src/context.ts');
        const ctx = await createContext(loadConfig({ ...process.env, ARKIV_DATA_DIR: ${JSON.stringify(dataDir)}, ARKIV_LOG_LEVEL: 'silent' }));
        const loaded = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/@aws-sdk/'));
        ctx.blobs.close?.();
        await ctx.database.close();
        console.log(loaded ? 'sdk loaded' : 'no sdk');`;
      execFile(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env } }, (error, stdout, stderr) => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        if (error) reject(new Error(stderr));
        else resolve(stdout.trim());
      });
    });

  it('happens only in a process that uses the s3 store', async () => {
    assert.equal(await loadsSdk({ ARKIV_BLOB_STORE: 'fs' }), 'no sdk');
    assert.equal(await loadsSdk(s3Env('load/')), 'sdk loaded');
  });
});

describe('start-up with a misconfigured S3 store', () => {
  const startWith = async (env: Record<string, string>) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-start-'));
    try {
      const ctx = await createContext(loadConfig({ ARKIV_DATA_DIR: dataDir, ARKIV_LOG_LEVEL: 'silent', ...env }));
      await ctx.database.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  const failsWith = (pattern: RegExp) => (error: unknown) => error instanceof ConfigError && pattern.test(error.message) && !error.message.includes('\n');

  it('names ARKIV_S3_BUCKET when the bucket does not exist', async () => {
    await assert.rejects(startWith(s3Env('', { ARKIV_S3_BUCKET: 'no-such-bucket' })), failsWith(/^ARKIV_S3_BUCKET: bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist$/));
  });

  it('names the credential settings when the keys are wrong', async () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    try {
      await assert.rejects(startWith(s3Env('')), failsWith(/refused the credentials .*AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY/));
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
    }
  });

  it('names ARKIV_S3_ENDPOINT when nothing answers there', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    await assert.rejects(startWith(s3Env('', { ARKIV_S3_ENDPOINT: `http://127.0.0.1:${closed}` })), failsWith(/^ARKIV_S3_ENDPOINT: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED/));
  });

  it('arkiv serve stops with that one line and exit code 2, no stack trace', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-cli-'));
    try {
      // Asynchronously: the S3 server answering the child runs in this process.
      const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', 'packages/server/src/main.ts', 'serve', '--port', '0', '--data-dir', dataDir, '--blob-store', 's3',
        '--s3-bucket', 'no-such-bucket', '--s3-endpoint', s3.endpoint, '--s3-force-path-style', '1', '--s3-region', 'us-east-1'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        // The SDK's multi-line notice that its 2027 releases need Node 22 is not Arkiv's message.
        env: { ...process.env, ARKIV_LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      }, (_error, _stdout, stderr) => resolve({ status: child.exitCode, stderr }));
      });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, /^arkiv: ARKIV_S3_BUCKET: bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+ does not exist\n$/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function upload(server: TestServer, pdf: Buffer) {
  const fields = sampleFields({ projectVersion: `1.${crypto.randomInt(1_000_000)}.0` });
  const html = htmlBytes(`Report ${crypto.randomUUID()}`);
  const response = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: uploadForm(fields, { html, pdf }) });
  const body = (await response.json()) as { id: string };
  assert.equal(response.status, 201, JSON.stringify(body));
  return { id: body.id, html, pdf };
}

const filesUrl = (server: TestServer, ids: string[]) => `${server.url}/security/report/files?org=${server.orgId}${ids.map((id) => `&reports=${id}`).join('')}`;

/** Every entry of a ZIP, read with yauzl (CRC-32 and sizes checked by the reader). */
async function zipEntries(file: string): Promise<Buffer[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, validateEntrySizes: true });
  const entries: Buffer[] = [];
  for await (const entry of zip.eachEntry()) entries.push(await readAll(await zip.openReadStreamPromise(entry)));
  return entries;
}

for (const dialect of testDialects) {
  describe(`reports on ${dialect} with S3 blobs`, () => {
    let server: TestServer;
    let dir: string;
    const prefix = `e2e-${dialect}/`;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-e2e-'));
      server = await startTestServer(dialect, s3Env(prefix));
    });
    after(async () => {
      (server.ctx.blobs as S3BlobStore).close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const downloadZip = async (ids: string[]) => {
      const response = await fetch(filesUrl(server, ids));
      assert.equal(response.status, 200);
      const file = path.join(dir, `${crypto.randomUUID()}.zip`);
      fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      execFileSync('unzip', ['-tq', file], { stdio: 'pipe' });
      return zipEntries(file);
    };

    it('stores an upload in the bucket and downloads it byte-identical in the ZIP', async () => {
      const report = await upload(server, pdfBytes(crypto.randomUUID(), crypto.randomBytes(3 * MiB)));
      const store = server.ctx.blobs as S3BlobStore;
      assert.equal(store.kind, 's3');
      const stored = await objectsUnder(store, `${prefix}sha256/`);
      assert.ok(stored.includes(`${prefix}sha256/${sha256(report.pdf)}`) && stored.includes(`${prefix}sha256/${sha256(report.html)}`), stored.join());
      const entries = await downloadZip([report.id]);
      assert.ok(entries.some((bytes) => bytes.equals(report.pdf)), 'the PDF comes back byte for byte');
      assert.ok(entries.some((bytes) => bytes.equals(report.html)), 'the HTML comes back byte for byte');
    });

    it('breaks the ZIP off when the S3 server drops its connections mid-download, then serves the next one whole', async () => {
      const report = await upload(server, pdfBytes(crypto.randomUUID(), crypto.randomBytes(24 * MiB)));
      const { received, broken } = await new Promise<{ received: Buffer; broken: boolean }>((resolve, reject) => {
        const request = http.get(filesUrl(server, [report.id]), { agent: false }, (response) => {
          assert.equal(response.statusCode, 200);
          const expected = Number(response.headers['content-length']);
          const chunks: Buffer[] = [];
          let dropped = false;
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            if (!dropped && Buffer.concat(chunks).length >= 512 * 1024) {
              dropped = true;
              s3.dropConnections();
            }
          });
          const done = (broken: boolean) => {
            const received = Buffer.concat(chunks);
            resolve({ received, broken: broken || received.length < expected });
          };
          response.on('end', () => done(false));
          response.on('error', () => done(true));
          response.on('aborted', () => done(true));
        });
        request.on('error', reject);
      });
      assert.ok(broken, `the client sees a broken transfer (${received.length} bytes arrived)`);
      const file = path.join(dir, `${crypto.randomUUID()}.zip`);
      fs.writeFileSync(file, received);
      assert.throws(() => execFileSync('unzip', ['-t', file], { stdio: 'pipe' }), 'never a complete valid ZIP');
      const entries = await downloadZip([report.id]);
      assert.ok(entries.some((bytes) => bytes.equals(report.pdf)));
    });

    it('answers an upload the store cannot take with 503 blob_store_unavailable and stores no report', async () => {
      const gone = await startS3Server({ bucket: 'going-away' });
      const other = await startTestServer(dialect, s3Env('', { ARKIV_S3_BUCKET: gone.bucket, ARKIV_S3_ENDPOINT: gone.endpoint }));
      try {
        await gone.close();
        const fields = sampleFields({ projectName: 'Never stored' });
        const response = await fetch(`${other.url}/security/report`, {
          method: 'POST',
          headers: { authorization: `Bearer ${other.tokens.upload}` },
          body: uploadForm(fields, { html: htmlBytes('x'), pdf: pdfBytes('x') }),
        });
        assert.equal(response.status, 503);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const problem = (await response.json()) as { code: string; detail?: string };
        assert.equal(problem.code, 'blob_store_unavailable');
        assert.doesNotMatch(JSON.stringify(problem), /going-away|127\.0\.0\.1|S3RVER/, 'nothing about the store leaks');
        const list = await fetch(`${other.url}/security/report/list?org=${other.orgId}&minver=0.0.0`);
        assert.deepEqual(((await list.json()) as { reports: unknown[] }).reports, []);
      } finally {
        (other.ctx.blobs as S3BlobStore).close();
        await other.stop();
      }
    });

    it('sweeps only blobs no report references', async () => {
      const report = await upload(server, pdfBytes(crypto.randomUUID()));
      const orphanBytes = crypto.randomBytes(300 * 1024);
      const orphan = await server.ctx.blobs.put(await stageStream(Readable.from([orphanBytes]), server.ctx.stagingDir, MiB));
      // Everything in the bucket looks two hours old: only references decide now.
      const store = server.ctx.blobs as S3BlobStore;
      const then = new Date(Date.now() - 2 * 3_600_000);
      for (const key of await objectsUnder(store, prefix)) fs.utimesSync(s3.objectFile(key), then, then);
      const result = await sweepBlobs(server.ctx, reportBlobReferences(server.ctx.db));
      assert.equal(result.swept, true);
      assert.equal(await store.has(orphan), false, 'the unreferenced blob is gone');
      assert.equal(result.deletedBlobs, 1);
      for (const bytes of [report.pdf, report.html]) assert.equal(await store.has(blobKeyFor(sha256(bytes))), true);
      assert.deepEqual(await objectsUnder(store, `${prefix}sweeping/`), [], 'no held copy left behind');
      const entries = await downloadZip([report.id]);
      assert.ok(entries.some((bytes) => bytes.equals(report.pdf)));
    });
  });
}
