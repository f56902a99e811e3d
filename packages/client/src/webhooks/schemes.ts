import type { SchemeCodec } from './codec.js';
import { arkivScheme } from './scheme-arkiv.js';
import { nexusIqScheme } from './scheme-nexus-iq.js';
import { standardWebhooksScheme } from './scheme-standard-webhooks.js';
import { WEBHOOK_SCHEMES, type WebhookScheme } from './types.js';

const CODECS: Record<WebhookScheme, SchemeCodec> = {
  arkiv: arkivScheme,
  'standard-webhooks': standardWebhooksScheme,
  'nexus-iq': nexusIqScheme,
};

/** The codec of a scheme; an unknown name (from JavaScript callers or stored config) throws. */
export function schemeCodec(scheme: WebhookScheme): SchemeCodec {
  if (!WEBHOOK_SCHEMES.includes(scheme)) throw new TypeError(`unknown webhook scheme "${String(scheme)}"`);
  return CODECS[scheme];
}
