/**
 * Webhook signing (the server's dispatcher) and verification (receivers). Depends on `node:crypto`
 * only, so a consumer that just verifies signatures pulls in nothing else.
 */
export { generateSecret } from './secrets.js';
export { generateEd25519KeyPair, publicKeyOf, PUBLIC_KEY_PREFIX, SECRET_KEY_PREFIX } from './ed25519-keys.js';
export { signWebhook } from './sign.js';
export { verifyWebhook } from './verify.js';
export { ARKIV_HEADERS } from './scheme-arkiv.js';
export { NEXUS_IQ_HEADERS } from './scheme-nexus-iq.js';
export { STANDARD_WEBHOOKS_HEADERS } from './scheme-standard-webhooks.js';
export {
  WEBHOOK_SCHEMES,
  type HeaderSource,
  type HmacAlgorithm,
  type SignatureAlgorithm,
  type SignWebhookInput,
  type VerifyFailureReason,
  type VerifyWebhookInput,
  type VerifyWebhookResult,
  type WebhookBody,
  type WebhookScheme,
} from './types.js';
