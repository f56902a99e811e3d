import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { crc32, verifyingStream } from './entry-digest.js';

/** Pieces of uneven sizes, as store streams deliver them (sockets, COPY batches, file reads). */
function uneven(bytes: Buffer): Readable {
  return Readable.from((function* () {
    for (let at = 0; at < bytes.length; ) {
      const length = Math.min(bytes.length - at, 1 + crypto.randomInt(300 * 1024));
      yield bytes.subarray(at, at + length);
      at += length;
    }
  })());
}

describe('verifyingStream', () => {
  it('passes every byte through, in order, to a reader that takes its time; CRC-32s match zlib', { timeout: 120_000 }, async () => {
    const bytes = crypto.randomBytes(12 * 1024 * 1024 + 777);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const verifier = uneven(bytes).pipe(verifyingStream(sha256, bytes.length, 'test'));
    const out: Buffer[] = [];
    let crc = 0;
    for await (const chunk of verifier) {
      crc = crc32(chunk as Buffer, crc);
      out.push(chunk as Buffer);
      if (out.length % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok(Buffer.concat(out).equals(bytes));
    assert.equal(crc, zlib.crc32(bytes));
  });

  it('fails a stream whose bytes do not hash to the expected SHA-256 or size', async () => {
    const bytes = crypto.randomBytes(3 * 1024 * 1024);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const drain = async (stream: Readable) => {
      for await (const _ of stream);
    };
    await assert.rejects(drain(uneven(bytes).pipe(verifyingStream('0'.repeat(64), bytes.length, 'wrong hash'))), /does not match/);
    await assert.rejects(drain(uneven(bytes.subarray(1)).pipe(verifyingStream(sha256, bytes.length, 'short'))), /does not match/);
    await drain(uneven(bytes).pipe(verifyingStream(sha256, bytes.length, 'right')));
  });
});
