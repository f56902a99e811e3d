import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../packages/server/src/db/schema.js';
import { canonicalJson, entryHash, GENESIS_HASH, type AuditValue } from '../../packages/server/src/audit/audit-chain.js';
import type { AuditAction } from '../../packages/server/src/audit/audit-log.js';

/** How often each action appears: downloads dominate a real log; revocations are rare. */
const MIX: Array<[AuditAction, number]> = [
  ['report.download', 80],
  ['report.upload', 8],
  ['report.replace', 4],
  ['auth.login', 5],
  ['auth.login_failed', 1],
  ['member.role_change', 1],
  ['token.create', 1],
];
const CYCLE = MIX.flatMap(([action, weight]) => Array<AuditAction>(weight).fill(action));
export const RARE_ACTION: AuditAction = 'token.create';

export interface SeededLog {
  seconds: number;
  /** An actor with about 1 % of the entries, for the actor filter. */
  busyActor: string;
  firstAt: number;
  lastAt: number;
}

/**
 * `rows` real chained entries (hashes computed as appendAudit does) for one organisation, written
 * in multi-row inserts, then the head. One entry a second, 100 users and tokens and anonymous
 * downloads as actors.
 */
export async function seedAuditLog(db: Kysely<Database>, orgId: string, rows: number, dialect: string): Promise<SeededLog> {
  const started = performance.now();
  if (dialect === 'sqlite') {
    await sql`pragma cache_size = -1048576`.execute(db);
    await sql`pragma synchronous = off`.execute(db);
  }
  const users = Array.from({ length: 100 }, () => crypto.randomUUID());
  const firstAt = Date.now() - rows * 1000;
  let prev = GENESIS_HASH;
  const BATCH = 1000;
  for (let start = 1; start <= rows; ) {
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < 20 && start <= rows; k++) {
        const values = [];
        for (let seq = start; seq < start + BATCH && seq <= rows; seq++) {
          const action = CYCLE[seq % CYCLE.length]!;
          const anonymous = action === 'report.download' && seq % 2 === 0;
          const actor = anonymous ? { kind: 'anonymous' as const, id: null, label: null } : { kind: 'user' as const, id: users[seq % users.length]!, label: `user${seq % users.length}@example.test` };
          const details: { [key: string]: AuditValue } = action === 'report.download' ? { reportIds: [crypto.randomUUID()], format: 'zip', size: 123456, bytes: 123456, complete: true } : { reportId: crypto.randomUUID() };
          const entry = { orgId, seq, at: firstAt + seq * 1000, action, actor, address: '192.0.2.10', details, prevHash: prev };
          const hash = entryHash(entry);
          values.push({ org_id: orgId, seq, at: entry.at, action, actor_kind: actor.kind, actor_id: actor.id, actor_label: actor.label, address: entry.address, details: canonicalJson(details), prev_hash: prev, hash });
          prev = hash;
        }
        await trx.insertInto('audit_log').values(values).execute();
        start += values.length;
      }
    });
  }
  await db.insertInto('audit_heads').values({ org_id: orgId, seq: rows, at: firstAt + rows * 1000, hash: prev }).execute();
  if (dialect === 'postgres') await sql`analyze audit_log`.execute(db);
  return { seconds: (performance.now() - started) / 1000, busyActor: `user:${users[1]}`, firstAt, lastAt: firstAt + rows * 1000 };
}
