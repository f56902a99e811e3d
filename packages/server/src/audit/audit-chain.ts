import crypto from 'node:crypto';

/** What an entry's details may hold: JSON without fractions, so every reader serialises it alike. */
export type AuditValue = string | number | boolean | null | AuditValue[] | { [key: string]: AuditValue };

export type AuditActorKind = 'user' | 'token' | 'share' | 'anonymous' | 'system';

/** Who did it. `id` is the user, token or share-link id; `label` a human hint (an email), not identity. */
export interface AuditActor {
  kind: AuditActorKind;
  id?: string | null;
  label?: string | null;
}

/** One entry as it is hashed (docs/evidence.md, "Audit log"). */
export interface ChainedEntry {
  orgId: string;
  seq: number;
  at: number;
  action: string;
  actor: AuditActor;
  address: string | null;
  details: { [key: string]: AuditValue };
  prevHash: string;
}

/** The previous hash of an organisation's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * RFC 8785 (JSON Canonicalization Scheme) for the values entries hold: object keys sorted by
 * UTF-16 code units (what Array.prototype.sort does), strings as JSON.stringify writes them
 * (which is what JCS specifies), integers in plain decimal. Fractions and non-finite numbers are
 * refused rather than serialised: their JCS form needs ECMAScript number formatting that other
 * languages would have to reproduce, and no entry needs them.
 */
export function canonicalJson(value: AuditValue): string {
  // Loops and concatenation rather than map/filter/join: every audit entry is serialised on the
  // write path (a download's entry included), and this halves what it costs.
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return integerJson(value);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + canonicalJson(value[i]!);
    return text + ']';
  }
  const keys = Object.keys(value).sort();
  let text = '{';
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    text += (text.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + canonicalJson(member);
  }
  return text + '}';
}

function integerJson(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`audit values must be safe integers, got ${value}`);
  return String(value);
}

/**
 * The text an entry's hash covers: the canonical JSON of
 * `{v, org, seq, at, action, actor: {kind, id, label}, address, details, prev}` (absent values are
 * null). Anyone can recompute it from a row or an export line. Written out member by member, keys
 * in their canonical order, with `details` already canonical: appendAudit serialises the details
 * once, for the row and the hash (audit-log.test.ts checks this equals canonicalJson of the object).
 */
export function entryText(entry: Omit<ChainedEntry, 'details'>, canonicalDetails: string): string {
  return (
    '{"action":' + JSON.stringify(entry.action) +
    ',"actor":{"id":' + JSON.stringify(entry.actor.id ?? null) +
    ',"kind":' + JSON.stringify(entry.actor.kind) +
    ',"label":' + JSON.stringify(entry.actor.label ?? null) +
    '},"address":' + JSON.stringify(entry.address) +
    ',"at":' + integerJson(entry.at) +
    ',"details":' + canonicalDetails +
    ',"org":' + JSON.stringify(entry.orgId) +
    ',"prev":' + JSON.stringify(entry.prevHash) +
    ',"seq":' + integerJson(entry.seq) +
    ',"v":1}'
  );
}

/** The bytes an entry's hash covers (entryText), UTF-8 encoded. */
export function entryBytes(entry: ChainedEntry): Buffer {
  return Buffer.from(entryText(entry, canonicalJson(entry.details)), 'utf8');
}

export function entryHash(entry: ChainedEntry): string {
  return textHash(entryText(entry, canonicalJson(entry.details)));
}

/** SHA-256 hex of an entry's text (entryText). */
export function textHash(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
