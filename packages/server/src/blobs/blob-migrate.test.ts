import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { S3_CREDENTIALS, startS3Server, type TestS3Server } from '../test/s3-server.js';
import { createTestDatabase, testDialects } from '../test/test-database.js';
import type { BlobStore } from './blob-store.js';
import { migrateBlobs, type MigrateProgress } from './blob-migrate.js';
import { FsBlobStore } from './fs-store.js';
import { PostgresBlobStore } from './postgres-store.js';
import { S3BlobStore } from './s3-store.js';
import { stageStream } from './staging.js';

const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const putAll = async (store: BlobStore, stagingDir: string, blobs: Buffer[]) => {
  const keys: string[] = [];
  for (const bytes of blobs) keys.push(await store.put(await stageStream(Readable.from([bytes]), stagingDir, 1024 * MiB)));
  return keys;
};

let s3: TestS3Server;
before(async () => {
  s3 = await startS3Server();
});
after(async () => s3.close());

describe('arkiv blobs migrate: fs to s3', () => {
  let root: string;
  let source: FsBlobStore;
  let target: S3BlobStore;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-migrate-'));
    source = new FsBlobStore(path.join(root, 'blobs'));
    target = new S3BlobStore(s3.settings('from-fs/'), { credentials: S3_CREDENTIALS });
  });
  after(() => {
    target.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('copies every blob with its hash checked, reports a corrupt one, and resumes where it stopped', async () => {
    const blobs = [crypto.randomBytes(10), crypto.randomBytes(300 * 1024), crypto.randomBytes(9 * MiB), Buffer.alloc(0)];
    const keys = await putAll(source, source.stagingDir, blobs);
    const [rotten] = await putAll(source, source.stagingDir, [crypto.randomBytes(5000)]);
    const hash = rotten!.slice('sha256/'.length);
    fs.writeFileSync(path.join(root, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash), crypto.randomBytes(5000));

    const progress: MigrateProgress[] = [];
    const first = await migrateBlobs(source, target, { stagingDir: source.stagingDir, onProgress: (p) => progress.push(p) });
    assert.deepEqual({ ...first, corrupt: first.corrupt }, { total: 5, copied: 4, skipped: 0, corrupt: [rotten], bytesCopied: 10 + 300 * 1024 + 9 * MiB });
    assert.deepEqual(progress.map((p) => p.done), [1, 2, 3, 4, 5]);
    for (const [i, key] of keys.entries()) assert.ok((await readAll(target.read(key))).equals(blobs[i]!), key);
    assert.equal(await target.has(rotten!), false, 'a blob that fails its hash is never copied');
    assert.ok(fs.existsSync(path.join(root, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash)), 'the source is left as it was');

    // An interrupted run: one blob never arrived, another arrived damaged.
    await target.delete(keys[1]!);
    fs.writeFileSync(s3.objectFile(`from-fs/${keys[2]}`), crypto.randomBytes(9 * MiB));
    const again = await migrateBlobs(source, target, { stagingDir: source.stagingDir });
    assert.deepEqual([again.copied, again.skipped, again.corrupt.length], [2, 2, 1]);
    for (const [i, key] of keys.entries()) assert.ok((await readAll(target.read(key))).equals(blobs[i]!), key);
  });

  it('runs as `arkiv blobs migrate --from fs --to s3` with progress lines', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-migrate-cli-'));
    try {
      const store = new FsBlobStore(path.join(dataDir, 'blobs'));
      const keys = await putAll(store, store.stagingDir, [crypto.randomBytes(100), crypto.randomBytes(200)]);
      const args = ['--conditions=arkiv-source', '--import', 'tsx', 'packages/server/src/main.ts', 'blobs', 'migrate', '--from', 'fs', '--to', 's3', '--data-dir', dataDir,
        '--s3-bucket', s3.bucket, '--s3-prefix', 'cli', '--s3-endpoint', s3.endpoint, '--s3-force-path-style', '1', '--s3-region', 'us-east-1'];
      const env = { ...process.env, AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
      // Asynchronously: the S3 server answering the child runs in this process.
      const run = () =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = execFile(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 }, (_e, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }));
        });
      const first = await run();
      assert.equal(first.status, 0, first.stderr);
      for (const key of keys) assert.match(first.stdout, new RegExp(`^\\[[12]/2\\] copied ${key} \\(\\d+ bytes\\)$`, 'm'));
      assert.match(first.stdout, /^2 copied \(300 bytes\), 0 already there, 0 corrupt of 2$/m);
      const second = await run();
      assert.match(second.stdout, /^0 copied \(0 bytes\), 2 already there, 0 corrupt of 2$/m);
      const target = new S3BlobStore(s3.settings('cli/'), { credentials: S3_CREDENTIALS });
      try {
        for (const key of keys) assert.equal(await target.has(key), true);
      } finally {
        target.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

if (testDialects.includes('postgres')) {
  describe('arkiv blobs migrate: postgres to s3', () => {
    it('copies blobs stored in PostgreSQL, byte for byte', async () => {
      const database = await createTestDatabase('postgres');
      const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      const target = new S3BlobStore(s3.settings('from-pg/'), { credentials: S3_CREDENTIALS });
      try {
        await migrateToLatest(handle.db);
        const source = new PostgresBlobStore(handle);
        const stagingDir = path.join(database.dataDir, 'tmp');
        const blobs = [crypto.randomBytes(1000), crypto.randomBytes(2 * MiB + 5)];
        const keys = await putAll(source, stagingDir, blobs);
        const result = await migrateBlobs(source, target, { stagingDir });
        assert.deepEqual([result.total, result.copied, result.corrupt.length], [2, 2, 0]);
        for (const [i, key] of keys.entries()) assert.ok((await readAll(target.read(key))).equals(blobs[i]!));
      } finally {
        target.close();
        await handle.close();
        await database.drop();
      }
    });
  });
}
