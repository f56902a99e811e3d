import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Queryable } from '../jobs/job-queue.js';
import { formatTimestamp } from '../shared/timestamp.js';
import type { IntegrationEventStatus, IntegrationEventsTable } from './integration-tables.js';

export interface InboundEvent {
  connectionId: string;
  orgId: string;
  eventType: string;
  deliveryId: string;
  payload: string;
  status: IntegrationEventStatus;
  detail?: string | null;
  receivedAt: number;
}

/**
 * Stores an inbound event once per (connection, delivery id). Returns the new row's id, or
 * undefined when that delivery was already stored: the caller must then change nothing else, so a
 * sender's duplicate or an attacker's replay of a signed body has no second effect.
 */
export async function recordEvent(db: Queryable, event: InboundEvent): Promise<string | undefined> {
  const inserted = await db
    .insertInto('integration_events')
    .values({
      id: crypto.randomUUID(),
      connection_id: event.connectionId,
      org_id: event.orgId,
      event_type: event.eventType,
      delivery_id: event.deliveryId,
      received_at: event.receivedAt,
      status: event.status,
      detail: event.detail ?? null,
      payload: event.payload,
    })
    .onConflict((oc) => oc.columns(['connection_id', 'delivery_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

export async function setEventStatus(db: Queryable, id: string, status: IntegrationEventStatus, detail: string | null): Promise<void> {
  await db.updateTable('integration_events').set({ status, detail: detail?.slice(0, 2000) ?? null }).where('id', '=', id).execute();
}

/** What the Integrations screen shows for the last events of a connection. */
export interface EventSummary {
  id: string;
  eventType: string;
  deliveryId: string;
  receivedAt: string;
  status: IntegrationEventStatus;
  detail: string | null;
}

const toSummary = (row: Pick<IntegrationEventsTable, 'id' | 'event_type' | 'delivery_id' | 'received_at' | 'status' | 'detail'>): EventSummary => ({
  id: row.id,
  eventType: row.event_type,
  deliveryId: row.delivery_id,
  receivedAt: formatTimestamp(row.received_at),
  status: row.status,
  detail: row.detail,
});

export async function recentEvents(db: Kysely<Database>, connectionId: string, limit = 10): Promise<EventSummary[]> {
  const rows = await db
    .selectFrom('integration_events')
    .select(['id', 'event_type', 'delivery_id', 'received_at', 'status', 'detail'])
    .where('connection_id', '=', connectionId)
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toSummary);
}

export async function findEvent(db: Kysely<Database>, id: string): Promise<EventSummary | undefined> {
  const row = await db.selectFrom('integration_events').select(['id', 'event_type', 'delivery_id', 'received_at', 'status', 'detail']).where('id', '=', id).executeTakeFirst();
  return row && toSummary(row);
}
