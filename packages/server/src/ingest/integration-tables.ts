/** Tables of the SonarQube and Nexus IQ integrations (migration 0004). Timestamps are epoch ms. */
export type IntegrationKind = 'sonarqube' | 'nexus-iq';
export const INTEGRATION_KINDS: readonly IntegrationKind[] = ['sonarqube', 'nexus-iq'];

export interface IntegrationConnectionsTable {
  id: string;
  org_id: string;
  kind: IntegrationKind;
  name: string;
  /** The inbound webhook secret, sealed with ctx.secrets (it must be readable to verify HMACs). */
  secret_sealed: string;
  /** SonarQube only: the server's base URL and a user token, sealed. */
  server_url: string | null;
  token_sealed: string | null;
  /** SonarQube only: JSON object, project key → Arkiv projectName. Empty: every project, named as in SonarQube. */
  project_map: string;
  created_at: number;
  updated_at: number;
}

/** What happened to an inbound event after it was accepted. */
export type IntegrationEventStatus = 'received' | 'queued' | 'imported' | 'ignored' | 'retrying' | 'failed';

export interface IntegrationEventsTable {
  id: string;
  connection_id: string;
  org_id: string;
  /** `iq:applicationEvaluation`, `sonarqube:analysis`, … */
  event_type: string;
  /** The sender's delivery id (Nexus IQ) or task id (SonarQube): unique per connection. */
  delivery_id: string;
  received_at: number;
  status: IntegrationEventStatus;
  detail: string | null;
  /** The raw body as received (UTF-8 text). */
  payload: string;
}

export interface NexusIqEvaluationsTable {
  id: string;
  org_id: string;
  connection_id: string;
  event_id: string;
  policy_evaluation_id: string;
  application_id: string;
  application_public_id: string | null;
  application_name: string | null;
  stage: string;
  outcome: string;
  evaluation_date: string;
  evaluation_date_ms: number;
  affected_component_count: number;
  critical_component_count: number;
  severe_component_count: number;
  moderate_component_count: number;
  received_at: number;
}

declare module '../db/schema.js' {
  interface Database {
    integration_connections: IntegrationConnectionsTable;
    integration_events: IntegrationEventsTable;
    nexus_iq_evaluations: NexusIqEvaluationsTable;
  }
}
