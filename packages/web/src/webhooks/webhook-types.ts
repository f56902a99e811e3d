/** Webhook API shapes: generated from the server's schemas (see @arkiv/client/types). */
import type { SignatureScheme } from '@arkiv/client/types';

export type { Attempt, Delivery, DeliveryDetail, RetryPolicy, SignatureScheme, Webhook, WebhookFilters, WebhookInput } from '@arkiv/client/types';

export const REPORT_EVENTS = ['report.created', 'report.updated', 'report.deleted'] as const;
export const SIGNATURE_SCHEMES = ['arkiv', 'standard-webhooks', 'nexus-iq'] as const satisfies readonly SignatureScheme[];
/** The form offers every scheme the server accepts: one added to the schema fails the type-check here. */
export const SIGNATURE_SCHEMES_COMPLETE: Exclude<SignatureScheme, (typeof SIGNATURE_SCHEMES)[number]> extends never ? true : never = true;

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
