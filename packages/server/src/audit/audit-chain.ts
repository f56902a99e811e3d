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
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`audit values must be safe integers, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(',')}}`;
}

/**
 * The bytes an entry's hash covers: the canonical JSON of
 * `{v, org, seq, at, action, actor: {kind, id, label}, address, details, prev}` (absent values are
 * null), UTF-8 encoded. Anyone can recompute it from a row or an export line.
 */
export function entryBytes(entry: ChainedEntry): Buffer {
  return Buffer.from(
    canonicalJson({
      v: 1,
      org: entry.orgId,
      seq: entry.seq,
      at: entry.at,
      action: entry.action,
      actor: { kind: entry.actor.kind, id: entry.actor.id ?? null, label: entry.actor.label ?? null },
      address: entry.address,
      details: entry.details,
      prev: entry.prevHash,
    }),
    'utf8',
  );
}

export function entryHash(entry: ChainedEntry): string {
  return crypto.createHash('sha256').update(entryBytes(entry)).digest('hex');
}
