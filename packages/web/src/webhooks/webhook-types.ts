/** Webhook API shapes (issue 3; see GET /openapi.json of a running server). */
export const REPORT_EVENTS = ['report.created', 'report.updated', 'report.deleted'] as const;
export const SIGNATURE_SCHEMES = ['arkiv', 'standard-webhooks', 'nexus-iq'] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export interface RetryPolicy {
  strategy: 'fixed' | 'exponential';
  intervalSeconds?: number;
  horizonHours?: number;
}

export interface WebhookFilters {
  projectName?: string[];
  reportType?: string[];
}

export interface Webhook {
  id: string;
  url: string;
  description: string;
  enabled: boolean;
  events: string[];
  filters: WebhookFilters | null;
  signatureScheme: SignatureScheme;
  signatureAlgorithm?: string | null;
  retryPolicy: RetryPolicy | null;
  disabledReason?: string | null;
  disabledAt?: string | null;
  failingSince?: string | null;
  previousSecretExpiresAt?: string | null;
  createdAt?: string;
}

export type WebhookInput = Omit<Webhook, 'id' | 'disabledReason' | 'disabledAt' | 'failingSince' | 'previousSecretExpiresAt' | 'createdAt'>;

export interface Delivery {
  /** The delivery id receivers see in X-Arkiv-Webhook-Delivery (stable across retries). */
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  status: 'pending' | 'succeeded' | 'failed' | 'abandoned';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface Attempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: string | null;
}

export interface DeliveryDetail extends Delivery {
  /** The exact bytes every attempt sends. */
  body: string;
  attemptLog: Attempt[];
}

/** Lists come as `{ <name>: [...] }` or a bare array; accept both so a wrapper change does not blank a screen. */
export function listFrom<T>(body: unknown, ...names: string[]): T[] {
  if (Array.isArray(body)) return body as T[];
  if (typeof body === 'object' && body !== null) {
    for (const name of names) {
      const value = (body as Record<string, unknown>)[name];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}

export const webhooksUrl = (orgId: string) => `/api/orgs/${orgId}/webhooks`;
export const webhookUrl = (orgId: string, id: string) => `/api/orgs/${orgId}/webhooks/${id}`;
