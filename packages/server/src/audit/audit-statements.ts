import type { Kysely } from 'kysely';
import { isPostgres } from '../db/dialect-sql.js';

/** One audit_log row's values, in the column order of AUDIT_COLUMNS. */
export type AuditRowValues = [
  orgId: string,
  seq: number,
  at: number,
  action: string,
  actorKind: string,
  actorId: string | null,
  actorLabel: string | null,
  address: string | null,
  details: string,
  prevHash: string,
  hash: string,
];

const AUDIT_COLUMNS = ['org_id', 'seq', 'at', 'action', 'actor_kind', 'actor_id', 'actor_label', 'address', 'details', 'prev_hash', 'hash'];

/** Row counts of the multi-row INSERTs: a batch of 23 entries is 16 + 4 + 1 + 1 + 1 rows. */
export const INSERT_SIZES = [64, 16, 4, 1] as const;

/** The SQL of appendAudit, per engine, written once (see appendAudit for why). */
export interface AuditStatements {
  /** (org_id, genesis hash): creates the chain's head if it has none. */
  ensureHead: string;
  /** (org_id): the head's seq, at, hash, locked until the transaction ends. */
  lockHead: string;
  /** (seq, at, hash, org_id). */
  saveHead: string;
  /** An INSERT of `rows` rows, one of INSERT_SIZES. */
  insert(rows: number): string;
}

function statementsFor(postgres: boolean): AuditStatements {
  let count = 0;
  const parameter = () => (postgres ? `$${++count}` : '?');
  const text = (template: (p: () => string) => string) => {
    count = 0;
    return template(parameter);
  };
  const inserts = new Map<number, string>();
  for (const rows of INSERT_SIZES) {
    inserts.set(
      rows,
      text((p) => {
        const tuples = Array.from({ length: rows }, () => `(${AUDIT_COLUMNS.map(() => p()).join(', ')})`);
        return `insert into audit_log (${AUDIT_COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
      }),
    );
  }
  return {
    ensureHead: text((p) => `insert into audit_heads (org_id, seq, at, hash) values (${p()}, 0, 0, ${p()}) on conflict (org_id) do nothing`),
    lockHead: text((p) => `select seq, at, hash from audit_heads where org_id = ${p()}${postgres ? ' for update' : ''}`),
    saveHead: text((p) => `update audit_heads set seq = ${p()}, at = ${p()}, hash = ${p()} where org_id = ${p()}`),
    insert: (rows) => inserts.get(rows)!,
  };
}

const SQLITE = statementsFor(false);
const POSTGRES = statementsFor(true);

export function auditStatements(db: Kysely<any>): AuditStatements {
  return isPostgres(db) ? POSTGRES : SQLITE;
}
