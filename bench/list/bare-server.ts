import Fastify from 'fastify';
import { serveParent } from './child.js';

/**
 * The baseline: a bare Fastify route that returns a precomputed JSON body (the Arkiv response to
 * the benchmark query). Whatever Arkiv spends beyond this is parsing, validation, the database
 * and serialisation.
 */
const body = await new Promise<string>((resolve) =>
  process.once('message', (message) => resolve((message as { init: string }).init)),
);
const app = Fastify({ logger: false });
app.get('/security/report/list', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
serveParent(() => app.close());
process.send!({ url: address });
