import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { inTransaction } from '../db/transaction.js';
import type { Database } from '../db/schema.js';
import type { Principal } from '../accounts/principal.js';
import { canonicalJson, entryText, GENESIS_HASH, textHash, type AuditActor, type AuditValue } from './audit-chain.js';
import { auditStatements, INSERT_SIZES, type AuditRowValues, type AuditStatements } from './audit-statements.js';
import './audit-tables.js';

export type { AuditActor, AuditActorKind, AuditValue } from './audit-chain.js';

/** Something to record: what happened in which organisation, by whom, from where. */
export interface AuditEntry {
  orgId: string;
  action: AuditAction;
  actor: AuditActor;
  /** The client's address, when a request caused it. */
  address?: string | null;
  details?: { [key: string]: AuditValue };
  /** Epoch ms (ctx.now()). */
  at: number;
}

/** Every action Arkiv records (docs/evidence.md lists what each one's details hold). */
export const AUDIT_ACTIONS = [
  'report.download',
  'report.upload',
  'report.replace',
  'report.delete',
  'auth.login',
  'auth.login_failed',
  'member.add',
  'member.role_change',
  'member.remove',
  'token.create',
  'token.revoke',
  'webhook.create',
  'webhook.update',
  'webhook.delete',
  'webhook.secret_rotate',
  'integration.create',
  'integration.update',
  'integration.delete',
  'signing_key.rotate',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
  'account.delete',
  'account.password_change',
  'account.password_reset',
  'org.update',
  'org.mfa_policy_update',
  'org.sso_update',
  'webhook.secret_reveal',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The actor a request's principal is; nobody signed in is `anonymous`. */
export function actorOf(principal: Principal | null): AuditActor {
  if (!principal) return { kind: 'anonymous' };
  if (principal.kind === 'token') return { kind: 'token', id: principal.id };
  return { kind: 'user', id: principal.id, label: principal.email };
}

/** The actor behind an event `initiator` string (token:<id>, user:<id>, system). */
export function actorOfInitiator(initiator: string): AuditActor {
  const [kind, id] = initiator.split(':', 2);
  if ((kind === 'token' || kind === 'user' || kind === 'share') && id) return { kind, id };
  return { kind: 'system' };
}

export interface AppendedEntry {
  orgId: string;
  seq: number;
  hash: string;
}

/**
 * Appends entries to their organisations' chains inside the caller's transaction, so an entry
 * commits or rolls back with the change it records. The rule it keeps: one chain never forks.
 * Each chain's head row is locked (`FOR UPDATE` on PostgreSQL; SQLite takes its single write lock
 * with the first write) before its last hash is read, so concurrent appends queue. Call it as the
 * transaction's last write, and heads are locked in organisation order: a transaction holding a
 * head then waits for no other lock, so two transactions can never wait on each other.
 *
 * Downloads make this a hot path (one entry per download, batched by download-audit.ts), so its
 * SQL is written out once per engine (audit-statements.ts) instead of built by Kysely per entry,
 * and an organisation's entries go in multi-row INSERTs.
 */
export async function appendAudit(trx: Transaction<Database>, entries: AuditEntry | readonly AuditEntry[]): Promise<AppendedEntry[]> {
  const list = [entries].flat().slice().sort((a, b) => (a.orgId < b.orgId ? -1 : a.orgId > b.orgId ? 1 : 0));
  const statements = auditStatements(trx);
  const appended: AppendedEntry[] = [];
  for (let start = 0; start < list.length; ) {
    const orgId = list[start]!.orgId;
    let end = start;
    while (end < list.length && list[end]!.orgId === orgId) end++;
    let head = await lockHead(trx, statements, orgId);
    const rows: AuditRowValues[] = [];
    for (let i = start; i < end; i++) {
      const entry = list[i]!;
      // Times never decrease along a chain (a process whose clock lags records the head's time), so
      // a time range is a seq range and the page can sort by seq alone.
      const at = Math.max(entry.at, head.at);
      const seq = head.seq + 1;
      const actor = { kind: entry.actor.kind, id: entry.actor.id ?? null, label: entry.actor.label ?? null };
      const address = entry.address ?? null;
      const details = canonicalJson(entry.details ?? {});
      const hash = textHash(entryText({ orgId, seq, at, action: entry.action, actor, address, prevHash: head.hash }, details));
      rows.push([orgId, seq, at, entry.action, actor.kind, actor.id, actor.label, address, details, head.hash, hash]);
      head = { seq, at, hash };
      appended.push({ orgId, seq, hash });
    }
    await insertRows(trx, statements, rows);
    await trx.executeQuery(CompiledQuery.raw(statements.saveHead, [head.seq, head.at, head.hash, orgId]));
    start = end;
  }
  return appended;
}

async function lockHead(trx: Transaction<Database>, statements: AuditStatements, orgId: string): Promise<{ seq: number; at: number; hash: string }> {
  // A write first: on SQLite it takes the database's write lock before the head is read.
  await trx.executeQuery(CompiledQuery.raw(statements.ensureHead, [orgId, GENESIS_HASH]));
  const { rows } = await trx.executeQuery<{ seq: number | string; at: number | string; hash: string }>(CompiledQuery.raw(statements.lockHead, [orgId]));
  const row = rows[0];
  if (!row) throw new Error(`the audit chain head of organisation ${orgId} is missing`);
  return { seq: Number(row.seq), at: Number(row.at), hash: row.hash };
}

/** Rows in INSERTs of the fixed sizes of audit-statements.ts (largest first), so few statement texts are ever prepared. */
async function insertRows(trx: Transaction<Database>, statements: AuditStatements, rows: readonly AuditRowValues[]): Promise<void> {
  let next = 0;
  while (next < rows.length) {
    const size = INSERT_SIZES.find((candidate) => candidate <= rows.length - next)!;
    await trx.executeQuery(CompiledQuery.raw(statements.insert(size), rows.slice(next, next + size).flat()));
    next += size;
  }
}

/**
 * Runs a change and the entries that record it in one transaction (the caller's, when `db` is
 * one): both commit or neither does. `entries` sees the change's result; false, null or [] record nothing (nothing changed).
 */
export function withAudit<T>(
  db: Kysely<Database>,
  change: (trx: Transaction<Database>) => Promise<T>,
  entries: (result: T) => AuditEntry | readonly AuditEntry[] | false | null | undefined,
): Promise<T> {
  return inTransaction(db, async (trx) => {
    const result = await change(trx);
    const recorded = entries(result);
    if (recorded && [recorded].flat().length > 0) await appendAudit(trx, recorded);
    return result;
  });
}

/** Who made a request and from where: the actor and address of the entries it causes. */
export function requestSource(request: { principal: Principal | null; ip: string }): { actor: AuditActor; address: string } {
  return { actor: actorOf(request.principal), address: request.ip };
}

/** Changes made at the command line (`arkiv token create`, …): the operator, not a signed-in user. */
export const CLI_ACTOR: AuditActor = { kind: 'system', label: 'cli' };
