// The server under test, in its own process so its memory is measured alone: a real Arkiv
// (configured by the environment the bench passes) plus, in the same process, a bare Fastify
// whose one route streams a plain file from the data dir: the baseline (or, for blobs kept
// elsewhere, /blob streams that file stored as one blob). Plain JavaScript, so it
// runs the compiled server (packages/server/dist, as `npm start` does) without a TypeScript
// loader in the process; ARKIV_BENCH_SOURCE=1 runs the sources instead (started with tsx).
// Sends `{ ready }` once both listen; closes both and exits on 'stop' or when the parent goes away.
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';

const fromSource = process.env.ARKIV_BENCH_SOURCE === '1';
const serverRoot = new URL(`../../packages/server/${fromSource ? 'src' : 'dist'}/`, import.meta.url);
const load = (module) => import(new URL(module, serverRoot).href);

const { loadConfig } = await load('config.js');
const { createContext } = await load('context.js');
const { startServer } = await load('server.js');
const { createOrganization } = await load('orgs/org-store.js');
const { createApiToken } = await load('accounts/tokens.js');

const config = loadConfig(process.env);
// As `arkiv serve` starts: start-up's heap given back before serving, the checkpoint thread at the first write.
const ctx = await createContext(config, { deferCheckpointThread: true });
const arkiv = await startServer(config, { ctx, serverProcess: true });
// A restarted child serves the organisation its predecessor created and needs no token.
const orgId = process.env.ARKIV_BENCH_ORG_ID || (await createOrganization(ctx.db, { name: 'Bench organisation' })).id;
const token = process.env.ARKIV_BENCH_ORG_ID ? '' : (await createApiToken(ctx.db, { orgId, name: 'bench upload', scopes: ['upload'] })).token;

const bare = Fastify();
bare.get('/plain', async (request, reply) => {
  // Only files the bench put in the data dir, by base name.
  const file = path.join(config.dataDir, path.basename(String(request.query.name)));
  const { size } = await fs.promises.stat(file);
  reply.header('content-type', 'application/octet-stream');
  reply.header('content-length', String(size));
  return reply.send(fs.createReadStream(file));
});
// The baseline of a setup whose blobs are elsewhere (s3, postgres): the same bytes as one blob,
// streamed straight from the store with no archive around them. POST stores the plain file as a blob.
const { stageStream } = await load('blobs/staging.js');
bare.post('/plain-blob', async (request) => {
  const file = path.join(config.dataDir, path.basename(String(request.query.name)));
  return { key: await ctx.blobs.put(await stageStream(fs.createReadStream(file), ctx.stagingDir, Number.MAX_SAFE_INTEGER)) };
});
bare.get('/blob', async (request, reply) => {
  const key = String(request.query.key);
  if (!(await ctx.blobs.has(key))) return reply.code(404).send();
  const { size } = await fs.promises.stat(path.join(config.dataDir, path.basename(String(request.query.name))));
  reply.header('content-type', 'application/octet-stream');
  reply.header('content-length', String(size));
  return reply.send(ctx.blobs.read(key));
});
const baselineUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  void Promise.allSettled([bare.close(), arkiv.close()]).finally(() => process.exit(0));
};
process.on('message', (message) => message === 'stop' && stop());
process.on('disconnect', stop);
process.send({ ready: { url: arkiv.url, baselineUrl, orgId, uploadToken: token, dataDir: config.dataDir } });
