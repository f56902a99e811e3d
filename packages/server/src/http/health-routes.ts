import { sql } from 'kysely';
import { collectDefaultMetrics, Histogram } from 'prom-client';
import type { RoutePlugin } from './route-plugin.js';

/**
 * /healthz (the process answers), /readyz (the database answers), /metrics (Prometheus), and the
 * request-duration histogram, which must time every route of the app, not only these three.
 */
export const healthRoutes: RoutePlugin = async (app, { ctx }) => {
  const registry = ctx.metrics;
  collectDefaultMetrics({ register: registry, prefix: 'arkiv_' });
  const duration = new Histogram({
    name: 'arkiv_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  });
  // One labelled child per route, method and status, found by a string key: prom-client would
  // otherwise hash the label object on every observation.
  const children = new Map<string, ReturnType<typeof duration.labels>>();
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const key = `${request.method} ${reply.statusCode} ${route}`;
    let child = children.get(key);
    if (child === undefined) {
      child = duration.labels({ method: request.method, route, status: String(reply.statusCode) });
      children.set(key, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });

  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', code: 'database_unavailable' });
    }
  });
  app.get('/metrics', hide, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};

// Fastify confines a plugin's hooks to the plugin's own routes unless the plugin opts out of
// encapsulation (what fastify-plugin sets): without this the histogram saw only /healthz,
// /readyz and /metrics. Must be registered before the plugins whose routes it times.
Object.assign(healthRoutes, { [Symbol.for('skip-override')]: true });
