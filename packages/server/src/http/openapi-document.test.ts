import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { TEXT_PATTERN } from './text-input.js';

type Json = Record<string, any>;

/**
 * String fields a client sends that are free text: not constrained by a format (uuid, date-time,
 * email, uri), an enum or a const, and not carrying the shared text rule. `where` names each.
 */
export function unruledStrings(schema: unknown, where: string, document: Json, seen = new Set<unknown>()): string[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    return unruledStrings(document.components?.schemas?.[name], where, document, seen);
  }
  const found: string[] = [];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string') && s.format === undefined && s.enum === undefined && s.const === undefined && !holdsTheRule(s.pattern)) found.push(where);
  for (const [pattern, value] of Object.entries((s.patternProperties ?? {}) as Json)) {
    if (!holdsTheRule(pattern)) found.push(`${where}{key}`);
    found.push(...unruledStrings(value, `${where}{}`, document, seen));
  }
  for (const [name, property] of Object.entries((s.properties ?? {}) as Json)) found.push(...unruledStrings(property, `${where}.${name}`, document, seen));
  for (const key of ['items', 'additionalProperties', 'not']) if (typeof s[key] === 'object') found.push(...unruledStrings(s[key], `${where}[]`, document, seen));
  for (const key of ['anyOf', 'oneOf', 'allOf']) for (const [i, sub] of ((s[key] ?? []) as unknown[]).entries()) found.push(...unruledStrings(sub, `${where}|${i}`, document, seen));
  return found;
}

/**
 * The shared rule, or a stricter whitelist: anchored, and built only of positive character classes
 * and escaped literals (no `[^…]`, `.`, `\S`, `\W`, `\D`), so it cannot match a control character.
 */
function holdsTheRule(pattern: unknown): boolean {
  if (pattern === TEXT_PATTERN) return true;
  if (typeof pattern !== 'string' || !pattern.startsWith('^') || !pattern.endsWith('$')) return false;
  return !/\[\^|(?<!\\)\.|\\[SWD]|\\u00[01]/.test(pattern);
}

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

  it('holds every free-text string a request carries (parameters and bodies) to the shared text rule', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operationsOf(document)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const parameter of (operation.parameters ?? []) as Json[]) {
        if (parameter.in === 'header') continue;
        missing.push(...unruledStrings(parameter.schema, `${at} ${parameter.in} ${parameter.name}`, document));
      }
      for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Json)) {
        missing.push(...unruledStrings((media as Json).schema, `${at} body (${type})`, document));
      }
    }
    assert.deepEqual(missing, []);
  });

  it('speaks in names a user can look up, not internal document numbers', () => {
    for (const { path, method, operation } of operationsOf(document)) {
      for (const text of [operation.summary, operation.description]) {
        if (typeof text === 'string') assert.doesNotMatch(text, /\bseed\b/i, `${method.toUpperCase()} ${path}`);
      }
    }
  });
});
