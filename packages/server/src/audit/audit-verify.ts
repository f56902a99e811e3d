import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { entryHash, GENESIS_HASH, type AuditActorKind, type AuditValue } from './audit-chain.js';
import type { AuditLogTable } from './audit-tables.js';

export type ChainVerdict =
  | { intact: true; orgId: string; entries: number; headHash: string }
  | { intact: false; orgId: string; entries: number; brokenSeq: number; reason: string };

const BATCH = 2000;

/** Recomputes an entry's hash from its row, exactly as appendAudit computed it. */
export function rowHash(row: AuditLogTable): string {
  return entryHash({
    orgId: row.org_id,
    seq: Number(row.seq),
    at: Number(row.at),
    action: row.action,
    actor: { kind: row.actor_kind as AuditActorKind, id: row.actor_id, label: row.actor_label },
    address: row.address,
    details: JSON.parse(row.details) as { [key: string]: AuditValue },
    prevHash: row.prev_hash,
  });
}

/**
 * Walks an organisation's chain from its first entry and names the first one that breaks it: a
 * seq out of order (an entry deleted), a hash that does not match its row (an entry edited), a
 * previous hash that does not match the entry before (an entry replaced whole), or a head that
 * names more or other entries than the log holds (entries cut off at the end). Reads in batches:
 * memory stays flat however long the chain.
 */
export async function verifyAuditChain(db: Kysely<Database>, orgId: string): Promise<ChainVerdict> {
  let expectedSeq = 1;
  let previous = GENESIS_HASH;
  const broken = (brokenSeq: number, reason: string): ChainVerdict => ({ intact: false, orgId, entries: expectedSeq - 1, brokenSeq, reason });
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('seq', '>=', expectedSeq).orderBy('seq').limit(BATCH).execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing (the next entry present is ${seq})`);
      if (row.prev_hash !== previous) return broken(seq, `entry ${seq} does not follow entry ${seq - 1}: its previous hash is not that entry's hash (entry ${seq - 1} or ${seq} was altered)`);
      let recomputed: string;
      try {
        recomputed = rowHash(row);
      } catch {
        return broken(seq, `entry ${seq} cannot be read (its details are not valid JSON)`);
      }
      if (recomputed !== row.hash) return broken(seq, `entry ${seq} was altered: its content does not hash to its recorded hash`);
      previous = row.hash;
      expectedSeq++;
    }
    if (rows.length < BATCH) break;
  }
  const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('org_id', '=', orgId).executeTakeFirst();
  const last = expectedSeq - 1;
  const headSeq = head ? Number(head.seq) : 0;
  if (headSeq > last) return broken(last + 1, `entry ${last + 1} is missing: the chain's head records ${headSeq} entries, the log ends at ${last}`);
  if (headSeq < last || (head?.hash ?? GENESIS_HASH) !== previous) return broken(last, `the chain's head (entry ${headSeq}) does not match the log's last entry ${last}`);
  return { intact: true, orgId, entries: last, headHash: previous };
}
