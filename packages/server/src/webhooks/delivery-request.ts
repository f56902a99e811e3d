import { createRequire } from 'node:module';
import { signWebhook, type SignatureAlgorithm, type WebhookScheme } from '@arkiv/client/webhooks';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
export const USER_AGENT = `Arkiv/${version}`;

export interface DeliveryToSign {
  deliveryId: string;
  eventType: string;
  body: string;
  scheme: WebhookScheme;
  algorithm: SignatureAlgorithm | null;
  secrets: readonly string[];
  /** Epoch ms of this attempt; headers carry unix seconds. */
  now: number;
}

/** Every header of one attempt. The body is signed exactly as stored: it must not be re-serialized. */
export function deliveryHeaders(input: DeliveryToSign): Record<string, string> {
  return {
    'content-type': 'application/json; charset=UTF-8',
    'user-agent': USER_AGENT,
    ...signWebhook({
      scheme: input.scheme,
      secrets: input.secrets,
      body: input.body,
      eventType: input.eventType,
      deliveryId: input.deliveryId,
      timestamp: Math.floor(input.now / 1000),
      ...(input.algorithm ? { algorithm: input.algorithm } : {}),
    }),
  };
}
