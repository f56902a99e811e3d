import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import './schema.js';

export type DisabledReason = 'manual' | 'gone' | 'failing';

/**
 * Disables an endpoint and abandons its pending deliveries (in flight ones too: their results no
 * longer change them). Re-enabling does not revive them; bulk redelivery does, on purpose. True
 * when this call disabled it (false: it was disabled already).
 */
export async function disableEndpoint(db: Kysely<Database>, input: { id: string; reason: DisabledReason; now: number }): Promise<boolean> {
  const disabled = await db
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_at: input.now, disabled_reason: input.reason, updated_at: input.now })
    .where('id', '=', input.id)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'abandoned', completed_at: input.now, lease_owner: null, last_error: `endpoint disabled (${input.reason})` })
    .where('endpoint_id', '=', input.id)
    .where('status', '=', 'pending')
    .execute();
  return Number(disabled.numUpdatedRows) > 0;
}
