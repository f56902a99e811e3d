import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppContext } from '../context.js';
import { installErrorHandling, sendProblem } from './error-handler.js';
import { AppError } from './errors.js';
import { installAuthentication } from './auth.js';
import { routePlugins } from './routes.js';
import { AccessLog } from './access-log.js';
import { securitySchemes } from './openapi-security.js';
import { namedSchemas } from './named-schemas.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';

export type App = FastifyInstance;

/** Assembles the HTTP application: error model, authentication, OpenAPI, then every feature's routes. */
export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    logController: new AccessLog(),
    trustProxy: ctx.config.trustProxy,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: 1024 * 1024,
    schemaController: { compilersFactory: lazySchemaCompilers() as never },
    // Errors the router raises before any hook (a malformed URL, a path parameter past its length
    // limit) get the same problem body as every other refusal, not Fastify's default JSON.
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode === 414 ? 414 : 400;
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The request URL is malformed';
      return sendProblem(reply, new AppError(status, 'invalid_request', message));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Callback hooks, not async ones: no promise per request for two headers.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
  installErrorHandling(app, {
    outage: ctx.databaseOutage,
    databaseStorage: ctx.database.dialect === 'sqlite' ? `the data directory (${ctx.config.dataDir})` : 'the PostgreSQL database',
  });
  installAuthentication(app, ctx);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Arkiv API',
        version: '0.1.0',
        description: 'Security reports: store, list, download, notify.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: '/', description: 'The Arkiv that serves this document' }],
      components: { securitySchemes },
    },
    // Shared shapes keep their $id as their component name (not def-0, def-1): generated clients
    // and packages/client/src/generated/api-types.ts name their types after it.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Shared shapes, referenced by $id from every feature's routes.
  for (const schema of namedSchemas) app.addSchema(schema);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const plugin of routePlugins) await app.register(plugin, { ctx });
  return app as unknown as App;
}
