import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { emitEvent } from '../../webhooks/outbox.js';

/**
 * Relays a Nexus IQ event to the organisation's Arkiv webhook subscribers as `nexus-iq.<event>`
 * (`iq:applicationEvaluation` → `nexus-iq.applicationEvaluation`), carrying Nexus IQ's payload
 * unchanged under `data`. Runs in the transaction that stores the event: the relay is queued in
 * the outbox exactly when the event is stored, and Arkiv's retries, signatures and delivery log apply.
 */
export async function relayNexusIqEvent(
  trx: Transaction<Database>,
  event: { orgId: string; connectionId: string; eventType: string; deliveryId: string; payload: Record<string, unknown>; at: number },
): Promise<void> {
  await emitEvent(trx, {
    orgId: event.orgId,
    type: `nexus-iq.${event.eventType.replace(/^iq:/, '')}`,
    payload: { source: { kind: 'nexus-iq', connectionId: event.connectionId, eventType: event.eventType, deliveryId: event.deliveryId }, data: event.payload },
    initiator: 'system',
    at: event.at,
  });
}
