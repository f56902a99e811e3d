// The baseline of bench/footprint-bench.ts: a bare Fastify process with one route, run by plain
// node as the built Arkiv server is, so the difference is what Arkiv loads and keeps.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`Arkiv listening on ${address}`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
