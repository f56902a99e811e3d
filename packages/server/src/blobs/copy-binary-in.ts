import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';

/** Signature, flags (none) and header-extension length (0) that start a binary COPY stream. */
const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** A field count of -1 ends the rows. */
const TRAILER = Buffer.from([0xff, 0xff]);
/** How much the COPY stream buffers before it waits for the socket. */
const COPY_BUFFER_BYTES = 1024 * 1024;

/**
 * Writes a staged file into `blob_chunks (blob_key, seq, data)` with one
 * `COPY … FROM STDIN (FORMAT binary)` on `client` (inside the caller's transaction): the file is
 * read `readBytes` at a time and sent as rows of `chunkBytes`, each slice going to the socket as
 * it was read, with no bind-parameter copy and no statement per batch. Format: PostgreSQL docs,
 * "COPY", section "Binary Format". Resolves to the size and SHA-256 of the bytes read from the
 * file, so the caller can check them against the staged file's before it commits.
 */
export async function copyFileAsChunks(client: pg.PoolClient, file: string, key: string, chunkBytes: number, readBytes: number): Promise<{ size: number; sha256: string }> {
  const { from: copyFrom } = await import('pg-copy-streams');
  const keyBytes = Buffer.from(key, 'utf8');
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  async function* rows(): AsyncGenerator<Buffer> {
    yield HEADER;
    const handle = await fs.promises.open(file, 'r');
    try {
      for (let seq = 0; ; ) {
        // A fresh buffer per read: the previous one may still sit in the socket's queue.
        const buffer = Buffer.allocUnsafe(readBytes);
        const length = await readFull(handle, buffer);
        bytes += length;
        hash.update(buffer.subarray(0, length));
        for (let offset = 0; offset < length; offset += chunkBytes, seq += 1) {
          const data = buffer.subarray(offset, Math.min(offset + chunkBytes, length));
          yield rowHeader(keyBytes, seq, data.length);
          yield data;
        }
        if (length < buffer.length) break;
      }
    } finally {
      await handle.close();
    }
    yield TRAILER;
  }
  const copy = client.query(copyFrom('copy blob_chunks (blob_key, seq, data) from stdin (format binary)', { highWaterMark: COPY_BUFFER_BYTES }));
  await pipeline(Readable.from(rows(), { objectMode: false, highWaterMark: COPY_BUFFER_BYTES }), copy);
  return { size: bytes, sha256: hash.digest('hex') };
}

/** Three fields: the key as text (UTF-8 bytes), seq as int4, then the length of the bytea that follows. */
function rowHeader(key: Buffer, seq: number, dataLength: number): Buffer {
  const header = Buffer.allocUnsafe(2 + 4 + key.length + 4 + 4 + 4);
  let at = header.writeInt16BE(3, 0);
  at = header.writeInt32BE(key.length, at);
  at += key.copy(header, at);
  at = header.writeInt32BE(4, at);
  at = header.writeInt32BE(seq, at);
  header.writeInt32BE(dataLength, at);
  return header;
}

/** Reads until `buffer` is full or the file ends; returns the byte count. */
async function readFull(handle: fs.promises.FileHandle, buffer: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
