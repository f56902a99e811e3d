import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { SARIF_SCHEMA_ID } from './sarif-schema-id.js';

export interface SarifValidators {
  /** A whole log. */
  log: ValidateFunction;
  /** One `result` object, checked as it streams by. */
  result: ValidateFunction;
}

let compiled: SarifValidators | undefined;

/**
 * The OASIS schema compiled once, at the first SARIF seen: the server pays nothing for it at start.
 * Loaded with require so the 110 KB document is read only then (the build copies it beside this file).
 */
export function sarifValidators(): SarifValidators {
  if (compiled) return compiled;
  const schema = withLinearUniqueItems(createRequire(import.meta.url)('./sarif-schema-2.1.0.json')) as object;
  const Ajv = AjvDraft04 as unknown as typeof AjvDraft04.default;
  const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: true });
  (addFormats as unknown as typeof addFormats.default)(ajv, ['uri', 'uri-reference', 'date-time']);
  ajv.addKeyword({
    keyword: UNIQUE_ITEMS,
    type: 'array',
    schemaType: 'boolean',
    errors: false,
    validate: (unique: boolean, data: unknown[]) => !unique || new Set(data.map(canonicalJson)).size === data.length,
  });
  ajv.addSchema(schema);
  compiled = {
    log: ajv.getSchema(SARIF_SCHEMA_ID)!,
    result: ajv.getSchema(`${SARIF_SCHEMA_ID}#/definitions/result`)!,
  };
  return compiled;
}

/** "/runs/0/results/3/locations: must be array": the first error, with where it is. */
export function describeSchemaError(errors: readonly ErrorObject[] | null | undefined, prefix = ''): string {
  const first = errors?.[0];
  if (!first) return `${prefix || '/'}: invalid`;
  const extra = first.keyword === 'additionalProperties' ? ` (${String((first.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${prefix}${first.instancePath || (prefix ? '' : '/')}: ${first.message ?? 'invalid'}${extra}`;
}

const UNIQUE_ITEMS = 'arkivUniqueItems';

/**
 * The schema with `uniqueItems` checked in linear time. Ajv compares every pair of items (deep
 * equality), and the SARIF schema asks it of 97 arrays, `rules` among them: 10 000 rules took 40 s.
 * The same rule (no two items deeply equal) is checked here through a set of canonical JSON texts.
 */
function withLinearUniqueItems(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withLinearUniqueItems);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key === 'uniqueItems' && typeof value === 'boolean' ? UNIQUE_ITEMS : key, withLinearUniqueItems(value)]));
}

/** JSON with object keys sorted: equal texts exactly when the values are deeply equal (JSON Schema equality). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
