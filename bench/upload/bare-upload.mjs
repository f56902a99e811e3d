// The baseline of bench/upload-bench.ts, in its own process: a bare Fastify (the version Arkiv
// runs) with @fastify/multipart (as Arkiv registers it), whose one route pipes every file part of
// the multipart body to a new file under ARKIV_BENCH_UPLOAD_DIR and answers 201 once it is written.
// No hashing, no checks, no fsync: what receiving and writing the bytes costs on this machine.
// Sends `{ ready: { url } }` once it listens; closes and exits on 'stop' or when the parent goes away.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';

const dir = process.env.ARKIV_BENCH_UPLOAD_DIR;
const app = Fastify({ logger: false });
await app.register(multipart, { limits: { fileSize: Number(process.env.ARKIV_BENCH_MAX_FILE_BYTES), files: 3, fields: 20, fieldSize: 4096, parts: 24 } });
app.post('/upload', async (request, reply) => {
  let bytes = 0;
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    const file = path.join(dir, `bare-${crypto.randomUUID()}.part`);
    await pipeline(part.file, fs.createWriteStream(file, { flags: 'wx' }));
    bytes += (await fs.promises.stat(file)).size;
  }
  return reply.status(201).send({ bytes });
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void app.close().finally(() => process.exit(0));
};
process.on('message', (message) => message === 'stop' && stop());
process.on('disconnect', stop);
process.send({ ready: { url } });
