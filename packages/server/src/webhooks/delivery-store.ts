import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { AppError, invalidParameter, notFound } from '../http/errors.js';
import { formatTimestamp } from '../shared/timestamp.js';
import { outboxDialect } from './outbox-sql.js';
import type { DeliveryStatus, WebhookAttemptsTable, WebhookDeliveriesTable } from './schema.js';

const iso = (ms: number | null) => (ms === null ? null : formatTimestamp(ms));

export function toDelivery(row: WebhookDeliveriesTable) {
  return {
    id: row.id,
    webhookId: row.endpoint_id,
    eventId: row.event_id,
    event: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? formatTimestamp(row.next_attempt_at) : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: formatTimestamp(row.created_at),
    completedAt: iso(row.completed_at),
  };
}

function toAttempt(row: WebhookAttemptsTable) {
  return {
    attempt: row.attempt,
    startedAt: formatTimestamp(row.started_at),
    durationMs: row.duration_ms,
    requestHeaders: JSON.parse(row.request_headers) as Record<string, string>,
    responseStatus: row.response_status,
    responseHeaders: row.response_headers ? (JSON.parse(row.response_headers) as Record<string, string>) : null,
    responseBody: row.response_body,
    error: row.error,
  };
}

const encodeCursor = (row: { created_at: number; id: string }) => Buffer.from(`${row.created_at}:${row.id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (!createdAt || !id || !/^\d+$/.test(createdAt)) throw invalidParameter('cursor is not one this API returned');
  return { createdAt: Number(createdAt), id };
}

/** An endpoint's deliveries, newest first, keyset-paginated on (created_at, id). */
export async function listDeliveries(ctx: AppContext, endpointId: string, query: { status?: DeliveryStatus | undefined; limit?: number | undefined; cursor?: string | undefined }) {
  const limit = query.limit ?? 50;
  let q = ctx.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { deliveries: page.map(toDelivery), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

export async function findDelivery(ctx: AppContext, orgId: string, id: string): Promise<WebhookDeliveriesTable> {
  const row = await ctx.db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Delivery');
  return row;
}

export async function showDelivery(ctx: AppContext, orgId: string, id: string) {
  const row = await findDelivery(ctx, orgId, id);
  const [event, attempts] = await Promise.all([
    ctx.db.selectFrom('webhook_events').select('payload').where('id', '=', row.event_id).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', id).orderBy('started_at').orderBy('attempt').execute(),
  ]);
  return { ...toDelivery(row), body: event.payload, attemptLog: attempts.map(toAttempt) };
}

/**
 * Queues a delivery again now, with the same id and body and a fresh retry horizon. A delivery
 * a worker is sending right now is refused (409): queuing it again would send it twice.
 */
export async function redeliver(ctx: AppContext, orgId: string, id: string) {
  const row = await findDelivery(ctx, orgId, id);
  const now = ctx.now();
  const result = await ctx.db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, horizon_from: now, completed_at: null, lease_owner: null })
    .where('id', '=', id)
    // An expired lease is a crashed worker's, not a delivery in flight.
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('next_attempt_at', '<=', now)]))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError(409, 'delivery_in_flight', 'This delivery is being sent right now; try again when it has finished');
  await outboxDialect(ctx.db).notifyInTransaction(ctx.db);
  return toDelivery({ ...row, status: 'pending', next_attempt_at: now, horizon_from: now, completed_at: null, lease_owner: null });
}

/** Queues every failed or abandoned delivery of an endpoint created in [since, until] again (recovery after an outage). */
export async function redeliverFailed(ctx: AppContext, endpointId: string, since: number, until: number): Promise<number> {
  if (since > until) throw invalidParameter('since is after until');
  const now = ctx.now();
  const result = await ctx.db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, horizon_from: now, completed_at: null, lease_owner: null })
    .where('endpoint_id', '=', endpointId)
    .where(sql<boolean>`status in ('failed', 'abandoned')`)
    .where('created_at', '>=', since)
    .where('created_at', '<=', until)
    .executeTakeFirst();
  const count = Number(result.numUpdatedRows);
  if (count > 0) await outboxDialect(ctx.db).notifyInTransaction(ctx.db);
  return count;
}
