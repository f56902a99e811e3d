import type { SignatureAlgorithm, WebhookScheme } from '@arkiv/client/webhooks';
import type { SecretBox } from '../secrets.js';
import { formatTimestamp } from '../shared/timestamp.js';
import type { EndpointFilters } from './event-types.js';
import type { RetryPolicy } from './retry-policy.js';
import type { WebhookEndpointsTable } from './schema.js';

/** An endpoint as the API shows it: never its secret (that has its own, admin-only route). */
export interface WebhookEndpoint {
  id: string;
  organizationId: string;
  url: string;
  description: string;
  enabled: boolean;
  events: string[];
  filters: EndpointFilters | null;
  signatureScheme: WebhookScheme;
  signatureAlgorithm: SignatureAlgorithm | null;
  retryPolicy: RetryPolicy | null;
  /** Set while a rotated-out secret still signs. */
  previousSecretExpiresAt: string | null;
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number | null) => (ms === null ? null : formatTimestamp(ms));

export function toEndpoint(row: WebhookEndpointsTable): WebhookEndpoint {
  return {
    id: row.id,
    organizationId: row.org_id,
    url: row.url,
    description: row.description,
    enabled: row.enabled === 1,
    events: JSON.parse(row.events) as string[],
    filters: JSON.parse(row.filters ?? 'null') as EndpointFilters | null,
    signatureScheme: row.signature_scheme as WebhookScheme,
    signatureAlgorithm: row.signature_algorithm as SignatureAlgorithm | null,
    retryPolicy: JSON.parse(row.retry_policy ?? 'null') as RetryPolicy | null,
    previousSecretExpiresAt: iso(row.previous_secret_expires_at),
    failingSince: iso(row.failing_since),
    disabledAt: iso(row.disabled_at),
    disabledReason: row.disabled_reason,
    createdAt: formatTimestamp(row.created_at),
    updatedAt: formatTimestamp(row.updated_at),
  };
}

/** The secrets that sign at `now`: the current one first, then a rotated-out one inside its grace period. */
export function signingSecrets(row: Pick<WebhookEndpointsTable, 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_expires_at'>, box: Pick<SecretBox, 'open'>, now: number): string[] {
  const secrets = [box.open(row.secret_sealed)];
  if (row.previous_secret_sealed && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now) {
    secrets.push(box.open(row.previous_secret_sealed));
  }
  return secrets;
}
