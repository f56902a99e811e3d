/**
 * Webhook tables (migration 0002_webhooks). Same conventions as the core: epoch-ms bigints, 0/1
 * integers for booleans, UUID text ids, JSON as text.
 */
export interface WebhookEndpointsTable {
  id: string;
  org_id: string;
  url: string;
  description: string;
  enabled: number;
  /** JSON array of subscribed event types; `prefix.*` matches every type under the prefix. */
  events: string;
  /** JSON `{ projectName?: string[], reportType?: string[] }` or null. */
  filters: string | null;
  signature_scheme: string;
  /** nexus-iq: HmacSHA1 (default) or HmacSHA256; standard-webhooks: HmacSHA256 (default) or Ed25519. */
  signature_algorithm: string | null;
  /** JSON RetryPolicy, or null for the configured default. */
  retry_policy: string | null;
  /** Sealed with ctx.secrets; never stored in clear. */
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: number | null;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: number | null;
  disabled_at: number | null;
  /** Why it was disabled: `manual`, `gone` (HTTP 410) or `failing` (past the retry horizon). */
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** One event, serialized once: every delivery of it sends exactly `payload`. */
export interface WebhookEventsTable {
  id: string;
  org_id: string;
  type: string;
  payload: string;
  initiator: string;
  created_at: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'abandoned';

export interface WebhookDeliveriesTable {
  /** The delivery id receivers see; the same on every retry and redelivery. */
  id: string;
  event_id: string;
  endpoint_id: string;
  org_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  /**
   * When a worker may next take it. Claiming sets it to the lease's end, so a crashed worker's
   * delivery becomes due again by itself, without counting an attempt.
   */
  next_attempt_at: number;
  /** The worker holding the lease; null when nobody does. */
  lease_owner: string | null;
  /** Start of the retry horizon: creation, or the last redelivery. */
  horizon_from: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  completed_at: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  /** 1 for the first attempt of the delivery. */
  attempt: number;
  started_at: number;
  duration_ms: number;
  /** JSON object of the headers sent (signatures only; secrets never). */
  request_headers: string;
  response_status: number | null;
  response_headers: string | null;
  /** First bytes of the response body (UTF-8, truncated). */
  response_body: string | null;
  error: string | null;
  worker: string;
}

declare module '../db/schema.js' {
  interface Database {
    webhook_endpoints: WebhookEndpointsTable;
    webhook_events: WebhookEventsTable;
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}
