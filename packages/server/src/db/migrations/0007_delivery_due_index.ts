import { sql, type Kysely } from 'kysely';

/**
 * The claim's scan reads only this index: due time, endpoint (to skip endpoints at their limit
 * without reading their rows) and id. Still partial over pending rows, so finished deliveries and
 * a backlog scheduled for later cost the claim nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_due').execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['next_attempt_at', 'endpoint_id', 'id'])
    .where(sql.ref('status'), '=', sql.lit('pending'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('webhook_deliveries_due').execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').column('next_attempt_at').where(sql.ref('status'), '=', sql.lit('pending')).execute();
}
