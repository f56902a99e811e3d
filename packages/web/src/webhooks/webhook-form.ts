import { REPORT_EVENTS, type SignatureScheme, type Webhook, type WebhookInput } from './webhook-types.ts';

/** The editor's state: text as typed, converted to and from the API's JSON in one place. */
export interface WebhookDraft {
  url: string;
  description: string;
  enabled: boolean;
  events: string[];
  projectNames: string;
  reportTypes: string;
  signatureScheme: SignatureScheme;
  signatureAlgorithm: 'HmacSHA1' | 'HmacSHA256';
  retryStrategy: 'default' | 'fixed' | 'exponential';
  retryIntervalMinutes: string;
  retryHorizonHours: string;
}

export const NEW_WEBHOOK: WebhookDraft = {
  url: '',
  description: '',
  enabled: true,
  events: [...REPORT_EVENTS],
  projectNames: '',
  reportTypes: '',
  signatureScheme: 'arkiv',
  signatureAlgorithm: 'HmacSHA256',
  retryStrategy: 'default',
  retryIntervalMinutes: '60',
  retryHorizonHours: '72',
};

/** "a, b ,, c" → ["a", "b", "c"]; one name per comma, blanks dropped, duplicates once. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

export function draftFrom(webhook: Webhook): WebhookDraft {
  const policy = webhook.retryPolicy;
  return {
    url: webhook.url,
    description: webhook.description ?? '',
    enabled: webhook.enabled,
    events: [...webhook.events],
    projectNames: (webhook.filters?.projectName ?? []).join(', '),
    reportTypes: (webhook.filters?.reportType ?? []).join(', '),
    signatureScheme: webhook.signatureScheme,
    signatureAlgorithm: webhook.signatureAlgorithm === 'HmacSHA1' ? 'HmacSHA1' : 'HmacSHA256',
    retryStrategy: policy ? policy.strategy : 'default',
    retryIntervalMinutes: policy?.intervalSeconds !== undefined ? String(policy.intervalSeconds / 60) : NEW_WEBHOOK.retryIntervalMinutes,
    retryHorizonHours: policy?.horizonHours !== undefined ? String(policy.horizonHours) : NEW_WEBHOOK.retryHorizonHours,
  };
}

export type DraftErrors = Partial<Record<keyof WebhookDraft, string>>;

export function validateDraft(draft: WebhookDraft): DraftErrors {
  const errors: DraftErrors = {};
  let url: URL | null = null;
  try {
    url = new URL(draft.url.trim());
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) errors.url = 'Enter an http:// or https:// URL';
  if (draft.events.length === 0) errors.events = 'Choose at least one event';
  if (draft.retryStrategy === 'fixed' && !(Number(draft.retryIntervalMinutes) >= 1)) errors.retryIntervalMinutes = 'At least 1 minute';
  const horizon = Number(draft.retryHorizonHours);
  if (draft.retryStrategy !== 'default' && !(draft.retryHorizonHours.trim() !== '' && Number.isInteger(horizon) && horizon >= 0)) {
    errors.retryHorizonHours = 'A whole number of hours (0: never retry)';
  }
  return errors;
}

export function inputFrom(draft: WebhookDraft): WebhookInput {
  const projectName = splitList(draft.projectNames);
  const reportType = splitList(draft.reportTypes);
  const filters = projectName.length || reportType.length ? { ...(projectName.length ? { projectName } : {}), ...(reportType.length ? { reportType } : {}) } : null;
  return {
    url: draft.url.trim(),
    description: draft.description.trim(),
    enabled: draft.enabled,
    events: draft.events,
    filters,
    signatureScheme: draft.signatureScheme,
    // Explicit null: the server refuses an algorithm on any other scheme, including one left over
    // from before a switch away from nexus-iq.
    signatureAlgorithm: draft.signatureScheme === 'nexus-iq' ? draft.signatureAlgorithm : null,
    retryPolicy:
      draft.retryStrategy === 'default'
        ? null
        : {
            strategy: draft.retryStrategy,
            ...(draft.retryStrategy === 'fixed' ? { intervalSeconds: Math.round(Number(draft.retryIntervalMinutes) * 60) } : {}),
            horizonHours: Number(draft.retryHorizonHours),
          },
  };
}
