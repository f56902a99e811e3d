import type { Kysely, Transaction } from 'kysely';
import { inTransaction } from '../db/transaction.js';
import type { Database } from '../db/schema.js';
import { isPostgres } from '../db/dialect-sql.js';
import type { Principal } from '../accounts/principal.js';
import { canonicalJson, entryHash, GENESIS_HASH, type AuditActor, type AuditValue } from './audit-chain.js';
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
 */
export async function appendAudit(trx: Transaction<Database>, entries: AuditEntry | readonly AuditEntry[]): Promise<AppendedEntry[]> {
  const list = [entries].flat().slice().sort((a, b) => (a.orgId < b.orgId ? -1 : a.orgId > b.orgId ? 1 : 0));
  const appended: AppendedEntry[] = [];
  let head: { orgId: string; seq: number; at: number; hash: string } | undefined;
  for (const entry of list) {
    if (head?.orgId !== entry.orgId) {
      if (head) await saveHead(trx, head);
      head = { orgId: entry.orgId, ...(await lockHead(trx, entry.orgId)) };
    }
    // Times never decrease along a chain (a process whose clock lags records the head's time), so
    // a time range is a seq range and the page can sort by seq alone.
    const at = Math.max(entry.at, head.at);
    const row = {
      orgId: entry.orgId,
      seq: head.seq + 1,
      at,
      action: entry.action,
      actor: { kind: entry.actor.kind, id: entry.actor.id ?? null, label: entry.actor.label ?? null },
      address: entry.address ?? null,
      details: entry.details ?? {},
      prevHash: head.hash,
    };
    const hash = entryHash(row);
    await trx
      .insertInto('audit_log')
      .values({
        org_id: row.orgId,
        seq: row.seq,
        at: row.at,
        action: row.action,
        actor_kind: row.actor.kind,
        actor_id: row.actor.id,
        actor_label: row.actor.label,
        address: row.address,
        details: canonicalJson(row.details),
        prev_hash: row.prevHash,
        hash,
      })
      .execute();
    head = { orgId: entry.orgId, seq: row.seq, at, hash };
    appended.push({ orgId: entry.orgId, seq: row.seq, hash });
  }
  if (head) await saveHead(trx, head);
  return appended;
}

async function lockHead(trx: Transaction<Database>, orgId: string): Promise<{ seq: number; at: number; hash: string }> {
  // A write first: on SQLite it takes the database's write lock before the head is read.
  await trx.insertInto('audit_heads').values({ org_id: orgId, seq: 0, at: 0, hash: GENESIS_HASH }).onConflict((oc) => oc.column('org_id').doNothing()).execute();
  let query = trx.selectFrom('audit_heads').select(['seq', 'at', 'hash']).where('org_id', '=', orgId);
  if (isPostgres(trx)) query = query.forUpdate();
  const row = await query.executeTakeFirstOrThrow();
  return { seq: Number(row.seq), at: Number(row.at), hash: row.hash };
}

async function saveHead(trx: Transaction<Database>, head: { orgId: string; seq: number; at: number; hash: string }): Promise<void> {
  await trx.updateTable('audit_heads').set({ seq: head.seq, at: head.at, hash: head.hash }).where('org_id', '=', head.orgId).execute();
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
