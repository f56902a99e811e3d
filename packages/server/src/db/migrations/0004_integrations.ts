import type { Kysely } from 'kysely';

/**
 * Integrations (issue 5): a durable job queue, SonarQube / Nexus IQ connections, the inbound events
 * they deliver (de-duplicated per connection and delivery id) and Nexus IQ application evaluations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The claim query scans due jobs in run_at order.
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();

  await db.schema
    .createTable('integration_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('server_url', 'text')
    .addColumn('token_sealed', 'text')
    .addColumn('project_map', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('integration_connections_org').on('integration_connections').columns(['org_id', 'kind']).execute();

  await db.schema
    .createTable('integration_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('integration_connections.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  // A sender that delivers the same event twice (or a replay) is stored once.
  await db.schema.createIndex('integration_events_delivery').on('integration_events').columns(['connection_id', 'delivery_id']).unique().execute();
  await db.schema.createIndex('integration_events_recent').on('integration_events').columns(['connection_id', 'received_at']).execute();

  await db.schema
    .createTable('nexus_iq_evaluations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('integration_connections.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('policy_evaluation_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('application_public_id', 'text')
    .addColumn('application_name', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('evaluation_date', 'text', (c) => c.notNull())
    .addColumn('evaluation_date_ms', 'bigint', (c) => c.notNull())
    .addColumn('affected_component_count', 'integer', (c) => c.notNull())
    .addColumn('critical_component_count', 'integer', (c) => c.notNull())
    .addColumn('severe_component_count', 'integer', (c) => c.notNull())
    .addColumn('moderate_component_count', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('nexus_iq_evaluations_identity').on('nexus_iq_evaluations').columns(['org_id', 'policy_evaluation_id']).unique().execute();
  await db.schema.createIndex('nexus_iq_evaluations_recent').on('nexus_iq_evaluations').columns(['org_id', 'evaluation_date_ms']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['nexus_iq_evaluations', 'integration_events', 'integration_connections', 'jobs']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
