import fc from 'fast-check';
import { sql } from 'kysely';
import { ERROR_CODES } from '../http/errors.js';
import type { TestServer } from './test-server.js';

type Json = Record<string, any>;

/** One request the fuzzer sent and what broke, if anything. */
export interface FuzzFinding {
  request: string;
  status: number;
  problem: string;
}

const ORG_COUNTS = ['reports', 'api_tokens', 'webhook_endpoints', 'memberships'] as const;

/** Row counts a refused request must leave as they were. */
async function counts(server: TestServer): Promise<string> {
  const values: number[] = [];
  for (const table of ORG_COUNTS) {
    const row = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(server.ctx.db);
    values.push(Number(row.rows[0]!.n));
  }
  return values.join(',');
}

const resolve = (schema: Json | undefined, document: Json): Json | undefined =>
  schema && typeof schema.$ref === 'string' ? document.components?.schemas?.[schema.$ref.split('/').pop()!] : schema;

/** Nasty strings: control characters, long, unicode, injection-shaped, numbers as text. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', 'a\u0000b', '\u001b[31m', "'; drop table reports; --", '../../etc/passwd', '%00', '1.0', '0', '-1', 'true', 'null', '💥'.repeat(3), 'x'.repeat(5000)),
  fc.uuid().map(String),
);

/** A value drawn from a JSON schema, or (sometimes) anything at all. */
function fromSchema(schema: Json | undefined, document: Json, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, document);
  if (!s || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  const wild = fc.jsonValue({ maxDepth: 2 });
  let shaped: fc.Arbitrary<unknown>;
  if (s.enum) shaped = fc.constantFrom(...(s.enum as unknown[]));
  else if (s.const !== undefined) shaped = fc.constant(s.const);
  else if (s.anyOf || s.oneOf) shaped = fc.oneof(...((s.anyOf ?? s.oneOf) as Json[]).map((sub) => fromSchema(sub, document, depth + 1)));
  else if (s.type === 'object' || s.properties) {
    const properties = Object.entries((s.properties ?? {}) as Json);
    shaped = fc.record(Object.fromEntries(properties.map(([k, v]) => [k, fromSchema(v, document, depth + 1)])), { requiredKeys: [] });
  } else if (s.type === 'array') shaped = fc.array(fromSchema(s.items, document, depth + 1), { maxLength: 4 });
  else if (s.type === 'integer' || s.type === 'number') shaped = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom(-1, 0, 2 ** 53, 1e308));
  else if (s.type === 'boolean') shaped = fc.boolean();
  else if (s.format === 'uuid') shaped = fc.oneof(fc.uuid().map(String), nastyString);
  else if (s.format === 'date-time') shaped = fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nastyString);
  else shaped = nastyString;
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: wild });
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/**
 * Sends `runs` random requests spread over every operation of /openapi.json: path and query
 * parameters and JSON bodies derived from each schema (and sometimes not), random content types,
 * as the test organisation's admin token, an Owner's session or anonymously. Returns what broke the rules: any 5xx; a
 * 4xx that is not application/problem+json with a catalogued code; a 4xx that changed counts.
 */
export async function fuzzOpenApi(
  server: TestServer,
  runs: number,
  seed?: number,
  /** An Owner's session (cookie; CSRF token on writes), as accounts/account-test-helpers' login gives. */
  owner?: { headers(write?: boolean): Record<string, string> },
): Promise<{ sent: number; statuses: Record<number, number>; findings: FuzzFinding[] }> {
  const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as Json;
  const operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method)).map(([method, operation]) => ({ path, method, operation: operation as Json })),
  );
  const findings: FuzzFinding[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  const catalogue = new Set<string>(ERROR_CODES);

  const requestArb = fc.nat({ max: operations.length - 1 }).chain((index) => {
    const { path, method, operation } = operations[index]!;
    const parameters = (operation.parameters ?? []) as Json[];
    const pathParams = parameters.filter((p) => p.in === 'path');
    const queryParams = parameters.filter((p) => p.in === 'query');
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    return fc.record({
      index: fc.constant(index),
      path: fc.record(Object.fromEntries(pathParams.map((p) => [p.name as string, fc.oneof(fc.constant(p.name === 'orgId' || p.name === 'org' ? server.orgId : undefined), fromSchema(p.schema, document))]))),
      query: fc.record(Object.fromEntries(queryParams.map((p) => [p.name as string, fc.oneof(fc.constant(p.name === 'org' ? server.orgId : undefined), fromSchema(p.schema, document))])), { requiredKeys: [] }),
      body: fc.oneof(fromSchema(bodySchema, document), nastyString, fc.constant(undefined)),
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', undefined),
      auth: fc.constantFrom('token', 'session', 'anonymous'),
      method: fc.constant(method),
      template: fc.constant(path),
    });
  });

  await fc.assert(
    fc.asyncProperty(requestArb, async (r) => {
      let url = r.template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(asText(r.path[name] ?? 'x') || 'x'));
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(r.query)) if (value !== undefined) query.append(name, asText(value));
      if ([...query].length) url += `?${query}`;
      const headers: Record<string, string> = {};
      if (r.auth === 'token') headers.authorization = `Bearer ${server.tokens.admin}`;
      if (r.auth === 'session' && owner) Object.assign(headers, owner.headers(r.method !== 'get'));
      const hasBody = r.method !== 'get' && r.body !== undefined;
      if (hasBody && r.contentType) headers['content-type'] = r.contentType;
      const before = await counts(server);
      const response = await fetch(`${server.url}${url}`, { method: r.method.toUpperCase(), headers, ...(hasBody ? { body: typeof r.body === 'string' && r.contentType !== 'application/json' ? r.body : JSON.stringify(r.body) } : {}) });
      const text = await response.text();
      sent += 1;
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      const where = `${r.method.toUpperCase()} ${url.slice(0, 300)} ${hasBody ? `[${r.contentType}] ${asText(r.body).slice(0, 200)}` : ''}`;
      if (response.status >= 500) findings.push({ request: where, status: response.status, problem: text.slice(0, 300) });
      else if (response.status >= 400) {
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { code?: string }).code;
        } catch {
          // not JSON: reported below
        }
        if (!/^application\/problem\+json/.test(response.headers.get('content-type') ?? '') || !code || !catalogue.has(code)) {
          findings.push({ request: where, status: response.status, problem: `not a catalogued problem: ${text.slice(0, 200)}` });
        } else if ((await counts(server)) !== before) {
          findings.push({ request: where, status: response.status, problem: `a ${response.status} ${code} changed counts ${before} → ${await counts(server)}` });
        }
      }
      return true;
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }), endOnFailure: false },
  );
  return { sent, statuses, findings };
}
