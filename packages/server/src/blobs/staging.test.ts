import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { SizeLimitExceeded, STAGING_BUFFER_BYTES, stageStream } from './staging.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-staging-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Chunks of uneven sizes (tiny first, so the head spans several), totalling more than a few write batches. */
function unevenChunks(): Buffer[] {
  const sizes = [10, 100, 2000, 65536, 1, 300_000, ...Array.from({ length: 60 }, (_, i) => 1000 + i * 997)];
  return sizes.map((size) => crypto.randomBytes(size));
}

describe('stageStream', () => {
  it('stores the bytes as sent, with their size, SHA-256 and first KiB, across several write batches', async () => {
    // Many chunks arrive at once (an object-mode source hands them over faster than the disk takes them).
    const chunks = Array.from({ length: 8 }, unevenChunks).flat();
    const whole = Buffer.concat(chunks);
    assert.ok(whole.length > 2 * STAGING_BUFFER_BYTES, 'spans more than one buffer');
    const staged = await stageStream(Readable.from(chunks), dir, whole.length);
    try {
      assert.equal(staged.size, whole.length);
      assert.equal(staged.sha256, crypto.createHash('sha256').update(whole).digest('hex'));
      assert.ok(staged.head.equals(whole.subarray(0, 1024)));
      assert.ok(fs.readFileSync(staged.path).equals(whole));
    } finally {
      fs.rmSync(staged.path, { force: true });
    }
  });

  it('stages an empty stream as an empty file', async () => {
    const staged = await stageStream(Readable.from([Buffer.alloc(0)]), dir, 10);
    assert.deepEqual([staged.size, staged.head.length, fs.statSync(staged.path).size], [0, 0, 0]);
    assert.equal(staged.sha256, crypto.createHash('sha256').digest('hex'));
    fs.rmSync(staged.path);
  });

  it('stops at the limit and leaves no file behind', async () => {
    const before = fs.readdirSync(dir);
    await assert.rejects(stageStream(Readable.from(unevenChunks()), dir, 100_000), (error: unknown) => error instanceof SizeLimitExceeded && error.limit === 100_000);
    assert.deepEqual(fs.readdirSync(dir), before);
  });

  it('passes on a failing source and leaves no file behind', async () => {
    const before = fs.readdirSync(dir);
    async function* failing() {
      yield crypto.randomBytes(3 * STAGING_BUFFER_BYTES);
      throw new Error('client went away');
    }
    await assert.rejects(stageStream(Readable.from(failing()), dir, Number.MAX_SAFE_INTEGER), /client went away/);
    assert.deepEqual(fs.readdirSync(dir), before);
  });
});
