import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { lazySchemaCompilers, type CompilerBuilder } from './lazy-schema-compilers.js';

/** Fastify's own builders, counting the route schemas they compile. */
function countingBuilders() {
  const compiled = { validators: 0, serializers: 0 };
  const counting = (builder: CompilerBuilder, kind: keyof typeof compiled): CompilerBuilder => (...args) => {
    const compilerFor = builder(...args);
    return (routeSchema) => {
      compiled[kind] += 1;
      return compilerFor(routeSchema);
    };
  };
  return {
    compiled,
    compilers: lazySchemaCompilers(counting(AjvCompiler() as unknown as CompilerBuilder, 'validators'), counting(SerializerSelector() as unknown as CompilerBuilder, 'serializers')),
  };
}

async function appWith(compilers: ReturnType<typeof lazySchemaCompilers> | undefined) {
  const app = Fastify(compilers ? { schemaController: { compilersFactory: compilers as never } } : {});
  app.addSchema({ $id: 'Item', type: 'object', required: ['id'], properties: { id: { type: 'integer' }, label: { type: 'string' } } });
  app.post('/items/:id', {
    schema: {
      params: { type: 'object', properties: { id: { type: 'integer' } } },
      querystring: { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } }, limit: { type: 'integer', default: 10 } } },
      body: { type: 'object', required: ['label'], additionalProperties: false, properties: { label: { type: 'string', minLength: 1 } } },
      response: { 200: { type: 'object', properties: { item: { $ref: 'Item#' }, limit: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } } },
    },
  }, async (request) => {
    const { id } = request.params as { id: number };
    const { limit, tags } = request.query as { limit: number; tags?: string[] };
    // `secret` is not in the response schema: the serializer leaves it out.
    return { item: { id, label: (request.body as { label: string }).label, secret: 'x' }, limit, tags, typeOfId: typeof id };
  });
  app.get('/other', { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } }, response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } } } }, async (request) => request.query);
  await app.ready();
  return app;
}

const requests = [
  { method: 'POST', url: '/items/7?tags=a&limit=3', payload: { label: 'seven' } },
  { method: 'POST', url: '/items/7?tags=a&tags=b', payload: { label: 'seven' } },
  { method: 'POST', url: '/items/seven', payload: { label: 'seven' } },
  { method: 'POST', url: '/items/7', payload: { label: '' } },
  { method: 'POST', url: '/items/7', payload: { label: 'x', extra: 1 } },
  { method: 'POST', url: '/items/7?limit=many', payload: { label: 'x' } },
] as const;

describe('route schemas compiled at first use', () => {
  it('compile nothing when the app gets ready, and each route once, at its first request', async () => {
    const { compiled, compilers } = countingBuilders();
    const app = await appWith(compilers);
    try {
      assert.deepEqual(compiled, { validators: 0, serializers: 0 });
      for (const request of requests) await app.inject(request);
      // params, querystring and body of the one route used; its one response schema.
      assert.deepEqual(compiled, { validators: 3, serializers: 1 });
    } finally {
      await app.close();
    }
  });

  it('answer every request as Fastify\'s compilers at start do: coercion, defaults, refusals with Ajv\'s messages, serialized replies', async () => {
    const lazy = await appWith(lazySchemaCompilers());
    const eager = await appWith(undefined);
    try {
      for (const request of requests) {
        const [fromLazy, fromEager] = [await lazy.inject(request), await eager.inject(request)];
        assert.equal(fromLazy.statusCode, fromEager.statusCode, request.url);
        assert.deepEqual(fromLazy.json(), fromEager.json(), request.url);
      }
      const accepted = await lazy.inject(requests[0]);
      assert.deepEqual(accepted.json(), { item: { id: 7, label: 'seven' }, limit: 3, tags: ['a'] });
      const refused = await lazy.inject(requests[3]);
      assert.equal(refused.statusCode, 400);
      assert.match(refused.json().message, /body\/label must NOT have fewer than 1 characters/);
      // Fastify's Ajv options hold too: a property the body schema does not list is removed, not refused.
      assert.equal((await lazy.inject(requests[4])).statusCode, 200);
    } finally {
      await lazy.close();
      await eager.close();
    }
  });
});
