import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';

type Json = Record<string, any>;

/** Every (path, method, operation) of the published document. */
export function operationsOf(document: Json): Array<{ path: string; method: string; operation: Json }> {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, operation]) => ({ path, method, operation: operation as Json })),
  );
}

// The document does not depend on the engine; one is enough.
describe('the published OpenAPI document', () => {
  let server: TestServer;
  let document: Json;
  before(async () => {
    server = await startTestServer(testDialects[0]!);
    document = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
  });
  after(async () => server.stop());

  it('speaks in names a user can look up, not internal document numbers', () => {
    for (const { path, method, operation } of operationsOf(document)) {
      for (const text of [operation.summary, operation.description]) {
        if (typeof text === 'string') assert.doesNotMatch(text, /\bseed\b/i, `${method.toUpperCase()} ${path}`);
      }
    }
  });
});
