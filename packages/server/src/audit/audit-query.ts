import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invalidParameter } from '../http/errors.js';
import { formatTimestamp } from '../shared/timestamp.js';
import type { AuditActorKind, AuditValue } from './audit-chain.js';
import type { AuditLogTable } from './audit-tables.js';

export interface AuditFilter {
  orgId: string;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  action?: string | undefined;
  actor?: { kind: string; id?: string | undefined } | undefined;
}

/** An entry as the API shows it: every field the hash covers, so an export can be re-verified. */
export interface AuditEntryView {
  seq: number;
  at: string;
  action: string;
  actor: { kind: AuditActorKind; id: string | null; label: string | null };
  address: string | null;
  details: { [key: string]: AuditValue };
  prevHash: string;
  hash: string;
}

export function toEntryView(row: AuditLogTable): AuditEntryView {
  return {
    seq: Number(row.seq),
    at: formatTimestamp(Number(row.at)),
    action: row.action,
    actor: { kind: row.actor_kind as AuditActorKind, id: row.actor_id, label: row.actor_label },
    address: row.address,
    details: JSON.parse(row.details) as { [key: string]: AuditValue },
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** `user`, `token:<id>`, `anonymous`, …: a kind, optionally with the actor's id. */
export function parseActorFilter(text: string): { kind: string; id?: string } {
  const match = /^(user|token|share|anonymous|system)(?::(.+))?$/.exec(text);
  if (!match) throw invalidParameter('actor must be a kind (user, token, share, anonymous, system), optionally followed by :<id>');
  return match[2] === undefined ? { kind: match[1]! } : { kind: match[1]!, id: match[2].toLowerCase() };
}

export const encodeAuditCursor = (seq: number) => Buffer.from(`s${seq}`).toString('base64url');

export function decodeAuditCursor(cursor: string): number {
  const match = /^s([1-9][0-9]{0,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalidParameter('cursor is not a cursor returned by this API');
  return Number(match[1]);
}

/**
 * A time range as a range of seqs: times never decrease along a chain (appendAudit), so the
 * first entry at or after `from` and the last at or before `to` bound every entry between, and
 * each bound is one probe of the (org, at, seq) index. Undefined when no entry is in the range.
 */
async function seqRange(db: Kysely<Database>, f: AuditFilter): Promise<{ low?: number; high?: number } | undefined> {
  const range: { low?: number; high?: number } = {};
  if (f.fromMs !== undefined) {
    const row = await db.selectFrom('audit_log').select('seq').where('org_id', '=', f.orgId).where('at', '>=', f.fromMs).orderBy('at').orderBy('seq').limit(1).executeTakeFirst();
    if (!row) return undefined;
    range.low = Number(row.seq);
  }
  if (f.toMs !== undefined) {
    const row = await db.selectFrom('audit_log').select('seq').where('org_id', '=', f.orgId).where('at', '<=', f.toMs).orderBy('at', 'desc').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!row) return undefined;
    range.high = Number(row.seq);
  }
  if (range.low !== undefined && range.high !== undefined && range.low > range.high) return undefined;
  return range;
}

/**
 * One page of entries, newest first (or oldest first for exports), keyed by seq. Each filter has
 * an index that yields rows already in seq order: the primary key (org, seq), (org, action, seq)
 * and (org, actor kind, actor id, seq), so a page reads only the rows it returns.
 */
export async function listAuditEntries(
  db: Kysely<Database>,
  f: AuditFilter,
  page: { limit: number; after?: number | undefined; order: 'desc' | 'asc' },
): Promise<{ rows: AuditLogTable[]; next: number | null }> {
  const range = await seqRange(db, f);
  if (!range) return { rows: [], next: null };
  let query = db.selectFrom('audit_log').selectAll().where('org_id', '=', f.orgId);
  if (range.low !== undefined) query = query.where('seq', '>=', range.low);
  if (range.high !== undefined) query = query.where('seq', '<=', range.high);
  if (f.action !== undefined) query = query.where('action', '=', f.action);
  if (f.actor !== undefined) {
    query = query.where('actor_kind', '=', f.actor.kind);
    if (f.actor.id !== undefined) query = query.where('actor_id', '=', f.actor.id);
    // These kinds never carry an id: saying so lets the actor index yield rows in seq order.
    else if (f.actor.kind === 'anonymous' || f.actor.kind === 'system') query = query.where('actor_id', 'is', null);
  }
  if (page.after !== undefined) query = query.where('seq', page.order === 'desc' ? '<' : '>', page.after);
  const rows = await query.orderBy('seq', page.order).limit(page.limit + 1).execute();
  let next: number | null = null;
  if (rows.length > page.limit) {
    rows.length = page.limit;
    next = Number(rows[rows.length - 1]!.seq);
  }
  return { rows, next };
}
