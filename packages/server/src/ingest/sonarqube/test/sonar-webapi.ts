import fs from 'node:fs';

/** One action of webapi/sonarqube-webapi.json: what SonarQube accepts and answers. */
export interface WebApiParam {
  required?: boolean;
  multi?: boolean;
  integer?: boolean;
  max?: number;
  values?: string[];
  since?: string;
}
export interface WebApiAction {
  upstream: string;
  params: Record<string, WebApiParam>;
  paged?: boolean;
  notFound?: string;
  edition?: string;
  response: unknown;
}
export interface WebApi {
  sonarqube: string;
  maxResults: number;
  messages: Record<'unknownUrl' | 'possibleValues' | 'maximumValue' | 'resultWindow' | 'missing' | 'componentNotFound' | 'projectNotFound', string>;
  actions: Record<string, WebApiAction>;
}

/** The checked-in description, read as data (never imported by production code). */
export const WEB_API: WebApi = JSON.parse(fs.readFileSync(new URL('../webapi/sonarqube-webapi.json', import.meta.url), 'utf8')) as WebApi;

/** Java's String.format for the %s-only messages of SonarQube. */
export const format = (template: string, ...args: unknown[]): string => {
  let i = 0;
  return template.replace(/%s/g, () => String(args[i++]));
};

/** "10.4" ≤ "10.6.0.92116"? Compared as numbers, part by part. */
export function versionAtLeast(version: string, since: string): boolean {
  const a = version.split('.').map(Number);
  const b = since.split('.').map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i]!;
  return true;
}

/**
 * Keeps only the fields the description lists for a response: what the protobuf message defines.
 * "object" keeps any object (a message whose content Arkiv does not read).
 */
export function prune(value: unknown, shape: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(shape)) return Array.isArray(value) ? value.map((v) => prune(v, shape[0])) : undefined;
  if (shape && typeof shape === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(shape as Record<string, unknown>)) {
      const kept = prune((value as Record<string, unknown>)[key], sub);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }
  switch (shape) {
    case 'string': return typeof value === 'string' ? value : undefined;
    case 'number': return typeof value === 'number' ? value : undefined;
    case 'boolean': return typeof value === 'boolean' ? value : undefined;
    case 'object': return typeof value === 'object' ? value : undefined;
    default: return undefined;
  }
}

/**
 * Why a request is outside the description, or undefined when it is inside: an action SonarQube
 * lacks, a parameter the action lacks (or has only since a later version), a value outside its
 * possible values. Used by tests on every request the stand-in recorded.
 */
export function outsideDescription(path: string, params: URLSearchParams, version: string): string | undefined {
  const action = WEB_API.actions[path];
  if (!action) return `${path} is not an action of sonarqube-webapi.json`;
  for (const [name, value] of params) {
    const param = action.params[name];
    if (!param) return `${path} has no parameter '${name}'`;
    if (param.since && !versionAtLeast(version, param.since)) return `${path} has '${name}' only since SonarQube ${param.since} (server: ${version})`;
    const values = param.multi ? value.split(',') : [value];
    const bad = param.values && values.find((v) => !param.values!.includes(v));
    if (bad !== undefined) return `${path} '${name}' has no value '${bad}'`;
  }
  return undefined;
}

/** Fails when any recorded request is outside the description (a parameter or value SonarQube lacks). */
export function assertInsideDescription(requests: ReadonlyArray<{ path: string; params: URLSearchParams }>, version: string): void {
  const outside = requests.map((r) => outsideDescription(r.path, r.params, version)).filter((m): m is string => m !== undefined);
  if (outside.length > 0) throw new Error(`requests outside sonarqube-webapi.json:\n${[...new Set(outside)].join('\n')}`);
}

/**
 * Every field path ("issues[].rule") read from a JSON answer, recorded through a Proxy around it, so
 * a test can check each against the description's response shape: reading a field SonarQube does
 * not send (absent from the protobuf message) fails even when the code copes with its absence.
 */
export function recordReads(value: unknown, path: string, reads: Set<string>): unknown {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const got = Reflect.get(target, key, receiver);
      // `await` asks every value whether it is a thenable: that is no read of the answer.
      if (key === 'then' && !Object.hasOwn(target, key)) return got;
      if (typeof key !== 'string' || (Array.isArray(target) && (key === 'length' || typeof got === 'function'))) return got;
      if (!Array.isArray(target) && typeof got === 'function' && !Object.hasOwn(target, key)) return got;
      const child = Array.isArray(target) ? `${path}[]` : path ? `${path}.${key}` : key;
      if (!Array.isArray(target)) reads.add(child);
      return recordReads(got, child, reads);
    },
  });
}

/** The paths of `reads` (per action) that the action's response shape lacks. */
export function readsOutsideDescription(reads: Map<string, Set<string>>): string[] {
  const outside: string[] = [];
  for (const [path, fields] of reads) {
    const shape = WEB_API.actions[path]?.response;
    for (const field of fields) if (!hasPath(shape, field)) outside.push(`${path}: ${field}`);
  }
  return outside;
}

function hasPath(shape: unknown, field: string): boolean {
  let at: unknown = shape;
  for (const part of field.split('.')) {
    const name = part.replace(/\[\]$/g, '');
    if (!at || typeof at !== 'object' || Array.isArray(at) || !(name in at)) return at === 'object';
    at = (at as Record<string, unknown>)[name];
    for (let n = (part.match(/\[\]/g) ?? []).length; n > 0; n--) at = Array.isArray(at) ? at[0] : undefined;
  }
  return true;
}
