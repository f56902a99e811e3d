import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { openDatabase, type DatabaseHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { blobKeyFor, type BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-store.js';
import { DEFAULT_CHUNK_BYTES, PostgresBlobStore } from './postgres-store.js';
import { stageStream } from './staging.js';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3BlobStore } from './s3-store.js';
import { S3_CREDENTIALS, startS3Server } from '../test/s3-server.js';

/** A store under test plus a way to look behind it: how many copies of a blob it holds. */
interface StoreUnderTest {
  store: BlobStore;
  stagingDir: string;
  copiesOf(key: string): Promise<number>;
  /** Makes a blob look last published `ms` ago (what time does, without waiting). */
  age(key: string, ms: number): Promise<void>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

function fsStore(): StoreUnderTest {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-blobs-'));
  const store = new FsBlobStore(root);
  return {
    store,
    stagingDir: store.stagingDir,
    copiesOf: async (key) => {
      const hash = key.slice('sha256/'.length);
      const found = fs.readdirSync(path.join(root, 'sha256'), { recursive: true }).filter((name) => String(name).endsWith(hash));
      return found.length;
    },
    age: async (key, ms) => {
      const hash = key.slice('sha256/'.length);
      const then = new Date(Date.now() - ms);
      fs.utimesSync(path.join(root, 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash), then, then);
    },
    close: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

async function postgresStore(chunkBytes?: number): Promise<StoreUnderTest> {
  const database: TestDatabase = await createTestDatabase('postgres');
  const handle: DatabaseHandle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  await migrateToLatest(handle.db);
  const store = new PostgresBlobStore(handle, chunkBytes === undefined ? {} : { chunkBytes });
  return {
    store,
    stagingDir: path.join(database.dataDir, 'tmp'),
    copiesOf: async (key) => {
      const blobs = await handle.db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('n')).where('blob_key', '=', key).executeTakeFirstOrThrow();
      return Number(blobs.n);
    },
    age: async (key, ms) => {
      await handle.db.updateTable('blobs').set({ created_at: Date.now() - ms }).where('blob_key', '=', key).execute();
    },
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

/** A loopback S3 server per variant; a prefix inside its bucket, as an operator sharing a bucket would set. */
async function s3Store(): Promise<StoreUnderTest> {
  const server = await startS3Server();
  const store = new S3BlobStore(server.settings('arkiv/'), { credentials: S3_CREDENTIALS });
  const stagingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-staging-'));
  return {
    store,
    stagingDir,
    copiesOf: async (key) => {
      const listed = await store.client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `arkiv/${key}` }));
      return listed.KeyCount ?? 0;
    },
    // The server reports a file's mtime as LastModified; the marker of a re-put ages with its blob.
    age: async (key, ms) => {
      const then = new Date(Date.now() - ms);
      for (const object of [`arkiv/${key}`, `arkiv/published/${key.slice('sha256/'.length)}`]) {
        if (fs.existsSync(server.objectFile(object))) fs.utimesSync(server.objectFile(object), then, then);
      }
    },
    close: async () => {
      store.close();
      await server.close();
      fs.rmSync(stagingDir, { recursive: true, force: true });
    },
  };
}

/** Bytes that differ per call (so keys never collide between tests) and are not all one value. */
function bytesOf(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  const seed = crypto.randomBytes(Math.min(size, 4096));
  for (let i = 0; i < size; i += seed.length) seed.copy(bytes, i, 0, Math.min(seed.length, size - i));
  if (size >= 8) bytes.writeDoubleLE(Math.random(), 0);
  return bytes;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const variants: Array<{ name: string; open: () => Promise<StoreUnderTest> | StoreUnderTest; chunkBytes: number }> = [
  { name: 'fs', open: fsStore, chunkBytes: 256 * 1024 },
  { name: 's3 (loopback S3 server)', open: s3Store, chunkBytes: 256 * 1024 },
  ...(testDialects.includes('postgres')
    ? [
        { name: 'postgres (default 64 KiB chunks)', open: () => postgresStore(), chunkBytes: DEFAULT_CHUNK_BYTES },
        { name: 'postgres (1 MiB chunks)', open: () => postgresStore(MiB), chunkBytes: MiB },
        { name: 'postgres (1000-byte chunks)', open: () => postgresStore(1000), chunkBytes: 1000 },
      ]
    : []),
];

for (const variant of variants) {
  describe(`BlobStore contract: ${variant.name}`, () => {
    let subject: StoreUnderTest;
    before(async () => {
      subject = await variant.open();
    });
    after(async () => subject.close());

    const put = async (bytes: Buffer) => {
      const staged = await stageStream(Readable.from([bytes]), subject.stagingDir, 1024 * MiB);
      const key = await subject.store.put(staged);
      assert.equal(fs.existsSync(staged.path), false, 'put consumes the staged file');
      return key;
    };

    for (const [label, size] of [
      ['0 bytes', 0],
      ['1 byte', 1],
      ['exactly one chunk', variant.chunkBytes],
      ['several chunks and a partial one', 3 * variant.chunkBytes + 17],
      ['2.5 MiB', 2.5 * MiB],
    ] as const) {
      it(`stores and streams back ${label}`, async () => {
        const bytes = bytesOf(size);
        const key = await put(bytes);
        assert.equal(key, blobKeyFor(crypto.createHash('sha256').update(bytes).digest('hex')));
        assert.equal(await subject.store.has(key), true);
        const back = await readAll(subject.store.read(key));
        assert.equal(back.length, bytes.length);
        assert.ok(back.equals(bytes), 'bytes read back equal the bytes put');
      });
    }

    it('reports a missing key: has is false and read errors', async () => {
      const key = blobKeyFor(crypto.randomBytes(32).toString('hex'));
      assert.equal(await subject.store.has(key), false);
      await assert.rejects(readAll(subject.store.read(key)), /ENOENT|does not exist|no such file/i);
    });

    it('stores the same bytes once when put twice, one after the other or concurrently', async () => {
      const bytes = bytesOf(2 * variant.chunkBytes + 5);
      const first = await put(bytes);
      const second = await put(bytes);
      const concurrent = await Promise.all([put(bytes), put(bytes), put(bytes)]);
      assert.deepEqual([second, ...concurrent], [first, first, first, first]);
      assert.equal(await subject.copiesOf(first), 1);
      assert.ok((await readAll(subject.store.read(first))).equals(bytes));

      const fresh = bytesOf(3 * variant.chunkBytes);
      const racing = await Promise.all([put(fresh), put(fresh), put(fresh), put(fresh)]);
      assert.equal(new Set(racing).size, 1);
      assert.equal(await subject.copiesOf(racing[0]!), 1);
      assert.ok((await readAll(subject.store.read(racing[0]!))).equals(fresh));
    });

    it('deletes a blob; deleting a missing one is not an error', async () => {
      const key = await put(bytesOf(variant.chunkBytes + 1));
      await subject.store.delete(key);
      assert.equal(await subject.store.has(key), false);
      assert.equal(await subject.copiesOf(key), 0);
      await assert.rejects(readAll(subject.store.read(key)));
      await subject.store.delete(key);
    });

    it('reads on demand: an unconsumed stream buffers a few chunks, not the blob', async () => {
      const size = 8 * MiB;
      const key = await put(bytesOf(size));
      const stream = subject.store.read(key);
      stream.pause();
      stream.once('readable', () => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(stream.readableLength > 0, 'the stream started reading');
      assert.ok(stream.readableLength <= 3 * Math.max(variant.chunkBytes, 256 * 1024), `buffered ${stream.readableLength} bytes of ${size}`);
      stream.destroy();
      await new Promise((resolve) => stream.once('close', resolve));
    });

    const listed = async (olderThanMs: number) => {
      const keys = new Set<string>();
      for await (const key of subject.store.listBlobs!(olderThanMs)) keys.add(key);
      return keys;
    };

    it('lists blobs last published before a time; putting the same bytes again refreshes them', async () => {
      const bytes = bytesOf(variant.chunkBytes + 3);
      const key = await put(bytes);
      const fresh = await put(bytesOf(10));
      assert.equal((await listed(Date.now() + 1000)).has(key), true, 'listed once the time has passed');
      assert.equal((await listed(Date.now() - 60_000)).has(key), false, 'not listed before it was put');
      await subject.age(key, 2 * 3_600_000);
      const hourAgo = await listed(Date.now() - 3_600_000);
      assert.equal(hourAgo.has(key), true);
      assert.equal(hourAgo.has(fresh), false);
      assert.equal(await put(bytes), key);
      assert.equal((await listed(Date.now() - 3_600_000)).has(key), false, 'a repeated put counts as publishing again');
    });

    it('deletes only blobs not published since the cutoff, once, and misses are not errors', async () => {
      const old = await put(bytesOf(variant.chunkBytes * 2));
      const young = await put(bytesOf(100));
      await subject.age(old, 2 * 3_600_000);
      const cutoff = Date.now() - 3_600_000;
      assert.equal(await subject.store.deleteIfOlderThan!(young, cutoff), false);
      assert.equal(await subject.store.has(young), true);
      assert.equal(await subject.store.deleteIfOlderThan!(old, cutoff), true);
      assert.equal(await subject.store.has(old), false);
      assert.equal(await subject.copiesOf(old), 0);
      assert.equal(await subject.store.deleteIfOlderThan!(old, cutoff), false, 'idempotent');
      assert.equal((await listed(Date.now() + 1000)).has(old), false);
    });

    it('never loses a blob that a put racing its deletion returned', async () => {
      for (let round = 0; round < 20; round++) {
        const bytes = bytesOf(variant.chunkBytes + round);
        const key = await put(bytes);
        await subject.age(key, 2 * 3_600_000);
        const staged = await stageStream(Readable.from([bytes]), subject.stagingDir, 1024 * MiB);
        const [deleted, putKey] = await Promise.all([subject.store.deleteIfOlderThan!(key, Date.now() - 3_600_000), subject.store.put(staged)]);
        assert.equal(putKey, key);
        assert.equal(await subject.store.has(key), true, `round ${round}: deleted=${deleted}, yet the put returned`);
        assert.ok((await readAll(subject.store.read(key))).equals(bytes));
        assert.equal(await subject.copiesOf(key), 1);
      }
    });

    it('reads a blob as text like any other stream', async () => {
      const key = await put(Buffer.from('<!doctype html><p>hello</p>'));
      assert.equal(await text(subject.store.read(key)), '<!doctype html><p>hello</p>');
    });
  });
}

describe('FsBlobStore specifics', () => {
  it('puts back a blob that a crashed sweep left in quarantine when the next sweep lists', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-blobs-'));
    try {
      const store = new FsBlobStore(root);
      const bytes = bytesOf(5000);
      const key = await store.put(await stageStream(Readable.from([bytes]), store.stagingDir, MiB));
      const hash = key.slice('sha256/'.length);
      const where = path.join(root, 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash);
      fs.mkdirSync(path.join(root, 'sweeping'), { recursive: true });
      fs.renameSync(where, path.join(root, 'sweeping', `${hash}.${crypto.randomUUID()}`));
      assert.equal(await store.has(key), false);
      for await (const _ of store.listBlobs(Date.now() - 3_600_000));
      assert.equal(await store.has(key), true);
      assert.ok((await readAll(store.read(key))).equals(bytes));
      assert.deepEqual(fs.readdirSync(path.join(root, 'sweeping')), []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

if (testDialects.includes('postgres')) {
  describe('PostgresBlobStore specifics', () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    let store: PostgresBlobStore;
    before(async () => {
      database = await createTestDatabase('postgres');
      handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      await migrateToLatest(handle.db);
      store = new PostgresBlobStore(handle, { chunkBytes: 4096 });
    });
    after(async () => {
      await handle.close();
      await database.drop();
    });
    const stagingDir = () => path.join(database.dataDir, 'tmp');

    it('writes one row per chunk, numbered from 0, and none for a 0-byte blob', async () => {
      const key = await store.put(await stageStream(Readable.from([bytesOf(3 * 4096 + 1)]), stagingDir(), MiB));
      const rows = await handle.db.selectFrom('blob_chunks').select('seq').where('blob_key', '=', key).orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => r.seq), [0, 1, 2, 3]);
      const empty = await store.put(await stageStream(Readable.from([Buffer.alloc(0)]), stagingDir(), MiB));
      assert.equal((await handle.db.selectFrom('blob_chunks').selectAll().where('blob_key', '=', empty).execute()).length, 0);
    });

    it('errors instead of ending early when a chunk row is missing', async () => {
      const key = await store.put(await stageStream(Readable.from([bytesOf(3 * 4096)]), stagingDir(), MiB));
      await handle.db.deleteFrom('blob_chunks').where('blob_key', '=', key).where('seq', '=', 1).execute();
      await assert.rejects(readAll(store.read(key)), /missing chunk 1/);
    });

    it('refuses to be built on SQLite', async () => {
      const sqlite = openDatabase({ dataDir: database.dataDir });
      try {
        assert.throws(() => new PostgresBlobStore(sqlite), /PostgreSQL/);
      } finally {
        await sqlite.close();
      }
    });
  });
}
