import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '../../packages/server/src/config.js';
import { createContext } from '../../packages/server/src/context.js';
import { startServer } from '../../packages/server/src/server.js';
import { createOrganization } from '../../packages/server/src/orgs/org-store.js';
import { createApiToken } from '../../packages/server/src/accounts/tokens.js';

/**
 * The server under test, in its own process so its memory can be measured alone: a real Arkiv
 * (configured by the environment the bench passes) plus, in the same process, a bare Fastify
 * whose one route streams a plain file from the data dir: the baseline. Sends `{ ready }` once
 * both listen; closes both and exits on 'stop' or when the parent goes away.
 */
const config = loadConfig(process.env);
const ctx = await createContext(config);
const arkiv = await startServer(config, { ctx });
const org = await createOrganization(ctx.db, { name: 'Bench organisation' });
const { token } = await createApiToken(ctx.db, { orgId: org.id, name: 'bench upload', scopes: ['upload'] });

const bare = Fastify();
bare.get<{ Querystring: { name: string } }>('/plain', async (request, reply) => {
  // Only files the bench put in the data dir, by base name.
  const file = path.join(config.dataDir, path.basename(request.query.name));
  const { size } = await fs.promises.stat(file);
  reply.header('content-type', 'application/octet-stream');
  reply.header('content-length', String(size));
  return reply.send(fs.createReadStream(file));
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
process.send!({ ready: { url: arkiv.url, baselineUrl, orgId: org.id, uploadToken: token, dataDir: config.dataDir } });
