import { Transform } from 'node:stream';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';

/**
 * Bytes handed to the hashing thread at a time. Store streams deliver 64–256 KiB pieces; gathering
 * them costs one copy but makes every later step (the thread hand-off, yazl's stream stages, the
 * socket writes) per-MiB rather than per-piece.
 */
const CHUNK_BYTES = 1024 * 1024;
/** Chunks of one entry at the hashing thread at once: bounds memory per archive (≈ 4 MiB). */
const MAX_IN_FLIGHT = 4;

// CommonJS, evaluated in the worker: SHA-256 and CRC-32 of each entry, chunk by chunk, each chunk
// sent back (transferred, not copied) with the CRC-32 so far; `end` adds the digest and the size.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'drop') return void jobs.delete(m.job);
  let job = jobs.get(m.job);
  if (!job) jobs.set(m.job, (job = { hash: crypto.createHash('sha256'), crc: 0, size: 0 }));
  const before = job.crc;
  if (m.bytes) {
    job.hash.update(m.bytes);
    job.crc = zlib.crc32(m.bytes, job.crc);
    job.size += m.bytes.length;
  }
  const reply = { job: m.job, bytes: m.bytes, before, crc: job.crc };
  if (m.op === 'end') {
    jobs.delete(m.job);
    Object.assign(reply, { sha256: job.hash.digest('hex'), size: job.size });
  }
  parentPort.postMessage(reply, m.bytes ? [m.bytes.buffer] : []);
});
`;

interface Reply {
  job: number;
  bytes?: Uint8Array;
  before: number;
  crc: number;
  sha256?: string;
  size?: number;
}

/**
 * CRC-32s the hashing thread already computed, by chunk: `crc32(chunk, before)` for a chunk that
 * left a verifying stream is a lookup (see archive.ts, which hands yazl this instead of hashing
 * twice). Anything else, or another starting value, is computed.
 */
const knownCrc32 = new WeakMap<Buffer, { before: number; after: number }>();
export function crc32(buffer: Buffer, previous = 0): number {
  const known = knownCrc32.get(buffer);
  return known !== undefined && known.before === previous ? known.after : zlib.crc32(buffer, previous);
}

/**
 * One thread for the process, started at the first archive. It keeps the process alive only while
 * an entry awaits it (`jobs`), like any pending I/O; idle, it does not.
 */
let hasher: { worker: Worker; waiting: Map<number, (reply: Reply | Error) => void>; jobs: number } | undefined;
let nextJob = 1;

function hashingThread() {
  if (hasher) return hasher;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const current = { worker, waiting: new Map<number, (reply: Reply | Error) => void>(), jobs: 0 };
  worker.on('message', (reply: Reply) => current.waiting.get(reply.job)?.(reply));
  const failAll = (error: Error) => {
    if (hasher === current) hasher = undefined;
    for (const deliver of current.waiting.values()) deliver(error);
    current.waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the archive hashing thread exited (${code})`)));
  // After the listeners: adding a 'message' listener refs the thread's port again.
  worker.unref();
  hasher = current;
  return current;
}

/**
 * Passes an entry's bytes through, in chunks of up to 1 MiB, and fails at the end unless they hash
 * to `expected` with `size` bytes. SHA-256 and CRC-32 run on a worker thread, so they overlap the
 * store's reads and the socket's writes and use a second core. The last chunk is released only
 * after the whole entry's SHA-256 is confirmed; a mismatch errors the stream, so yazl never writes
 * the entry's data descriptor and the client gets a broken transfer, never a valid-looking archive.
 */
export function verifyingStream(expected: string, size: number, label: string): Transform {
  const thread = hashingThread();
  const job = nextJob++;
  const replies: Array<(reply: Reply) => void> = [];
  let inFlight = 0;
  let copied = 0;
  let ended = false;
  let done = false;
  if (thread.jobs++ === 0) thread.worker.ref();
  const finish = () => {
    if (done) return;
    done = true;
    if (--thread.jobs === 0) thread.worker.unref();
  };
  let pending: Buffer | undefined;
  let pendingLength = 0;
  /** The write callback held back while the thread or the reader is behind. */
  let resume: (() => void) | undefined;
  const behind = () => inFlight >= MAX_IN_FLIGHT || stream.readableLength >= stream.readableHighWaterMark;
  const tryResume = () => {
    if (!resume || behind()) return;
    const callback = resume;
    resume = undefined;
    callback();
  };

  const stream = new Transform({
    readableHighWaterMark: CHUNK_BYTES,
    transform(chunk: Buffer, _encoding, callback) {
      for (let offset = 0; offset < chunk.length; ) {
        // A full chunk leaves only once more bytes arrive: the entry's last one goes with `end`.
        if (pending && pendingLength === pending.length) send('update');
        pending ??= Buffer.allocUnsafeSlow(Math.min(CHUNK_BYTES, Math.max(size - copied, chunk.length - offset)));
        const length = chunk.copy(pending, pendingLength, offset);
        pendingLength += length;
        offset += length;
        copied += length;
      }
      if (behind()) resume = callback;
      else callback();
    },
    flush(callback) {
      send('end', (reply, out) => {
        ended = true;
        finish();
        if (reply.sha256 !== expected || reply.size !== size) {
          return callback(new Error(`blob for ${label} does not match its recorded SHA-256/size (expected ${expected}/${size}, got ${reply.sha256}/${reply.size})`));
        }
        if (out) stream.push(out);
        callback();
      });
    },
    destroy(error, callback) {
      thread.waiting.delete(job);
      if (!ended) thread.worker.postMessage({ op: 'drop', job });
      finish();
      callback(error);
    },
  });
  // Transform asks for more input whether or not its output was read; this waits for the reader.
  // Readable calls _read before it takes the chunk it is reading (and not again until the next
  // push), so the check runs on the next tick, once that chunk has left the buffer.
  const read = stream._read.bind(stream);
  stream._read = (n) => {
    read(n);
    process.nextTick(tryResume);
  };

  /** Hands the gathered bytes to the thread; its reply pushes them on, in order. */
  function send(op: 'update' | 'end', last?: (reply: Reply, out: Buffer | undefined) => void): void {
    const bytes = pending?.subarray(0, pendingLength);
    pending = undefined;
    pendingLength = 0;
    inFlight += 1;
    replies.push((reply) => {
      inFlight -= 1;
      const out = reply.bytes && Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength);
      if (out) knownCrc32.set(out, { before: reply.before, after: reply.crc });
      if (last) return last(reply, out);
      if (out && !stream.destroyed) stream.push(out);
      tryResume();
    });
    thread.worker.postMessage({ op, job, bytes }, bytes ? [bytes.buffer as ArrayBuffer] : []);
  }

  thread.waiting.set(job, (reply) => {
    if (reply instanceof Error) return void stream.destroy(reply);
    replies.shift()?.(reply);
  });
  return stream;
}
