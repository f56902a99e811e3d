import { timeOrderedId } from '../db/time-ordered-id.js';
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { formatTimestamp } from '../shared/timestamp.js';
import type { ReportChangeHook } from '../reports/report-hooks.js';
import type { ReportListItem } from '../reports/report-model.js';
import type { FindingsDelta } from '../findings/finding-model.js';
import { outboxDialect } from './outbox-sql.js';
import { passesFilters, subscribes, type EndpointFilters } from './event-types.js';
import './schema.js';

export interface EventToEmit {
  orgId: string;
  /** e.g. `report.created`, `nexus-iq.applicationEvaluation`. */
  type: string;
  /** Event-specific fields; `organizationId`, `type`, `timestamp` and `initiator` are added. */
  payload: Record<string, unknown>;
  /** token:<id>, user:<id> or system. */
  initiator: string;
  /** Epoch ms of the change; the `timestamp` field and every delivery's first due time. */
  at: number;
  /** Reports the event is about, for endpoints' projectName/reportType filters. */
  reports?: ReadonlyArray<{ projectName: string; reportType: string }>;
  /** Send to these endpoints only, whatever they subscribe to (ping). */
  endpointIds?: readonly string[];
}

export interface EmittedEvent {
  eventId: string;
  deliveryIds: string[];
}

/**
 * The transactional outbox: call inside the transaction that makes the change. Writes the event
 * (its body serialized here, once: every delivery sends these exact bytes) and one pending
 * delivery per matching enabled endpoint. If the transaction rolls back, nothing is ever sent.
 * Returns undefined when no endpoint wants the event (nothing is written).
 */
export async function emitEvent(trx: Transaction<Database>, event: EventToEmit): Promise<EmittedEvent | undefined> {
  let query = trx.selectFrom('webhook_endpoints').select(['id', 'events', 'filters']).where('org_id', '=', event.orgId);
  query = event.endpointIds ? query.where('id', 'in', [...event.endpointIds]) : query.where('enabled', '=', 1);
  const endpoints = (await query.execute()).filter(
    (e) =>
      event.endpointIds ||
      (subscribes(JSON.parse(e.events) as string[], event.type) && passesFilters(JSON.parse(e.filters ?? 'null') as EndpointFilters | null, event.reports)),
  );
  if (endpoints.length === 0) return undefined;

  const eventId = timeOrderedId(event.at);
  const body = { organizationId: event.orgId, ...event.payload, type: event.type, timestamp: formatTimestamp(event.at), initiator: event.initiator };
  await trx
    .insertInto('webhook_events')
    .values({ id: eventId, org_id: event.orgId, type: event.type, payload: JSON.stringify(body), initiator: event.initiator, created_at: event.at })
    .execute();
  const deliveries = endpoints.map((e) => ({
    id: timeOrderedId(event.at),
    event_id: eventId,
    endpoint_id: e.id,
    org_id: event.orgId,
    event_type: event.type,
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: event.at,
    lease_owner: null,
    horizon_from: event.at,
    created_at: event.at,
  }));
  await trx.insertInto('webhook_deliveries').values(deliveries).execute();
  await outboxDialect(trx).notifyInTransaction(trx);
  return { eventId, deliveryIds: deliveries.map((d) => d.id) };
}

/** Report changes become `report.*` events carrying the seed's list items. */
export const reportEventsHook: ReportChangeHook = async (trx, change) => {
  await emitEvent(trx, {
    orgId: change.orgId,
    type: change.type,
    // report.created: `findingsDelta` per report id, beside the seed's list items (which stay exactly seed 000's).
    payload: change.type === 'report.created' ? { reports: change.reports, findingsDelta: deltasOf(change.reports, change.findingsDelta) } : { reports: change.reports },
    initiator: change.initiator,
    at: change.at,
    reports: change.reports,
  });
};

/** Open findings new and fixed per created report, against the previous version of its product and type. */
function deltasOf(reports: readonly ReportListItem[], deltas: Readonly<Record<string, FindingsDelta>> | undefined): Record<string, FindingsDelta> {
  return Object.fromEntries(reports.map((r) => [r.id, deltas?.[r.id] ?? { new: 0, fixed: 0, previousVersion: null }]));
}
