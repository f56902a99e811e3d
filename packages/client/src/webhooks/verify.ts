import { bodyBytes } from './hmac.js';
import { schemeCodec } from './schemes.js';
import { hmacKey } from './secrets.js';
import { PUBLIC_KEY_PREFIX } from './ed25519-keys.js';
import { verifyEd25519 } from './scheme-standard-webhooks-ed25519.js';
import type { VerifyWebhookInput, VerifyWebhookResult } from './types.js';

const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Checks a received delivery against the endpoint's secret. Never throws for anything the request
 * contains (a forged or broken request is a `{ ok: false }` result); throws only for the caller's own
 * mistakes (unknown scheme, unusable secret, negative tolerance). `body` must be the raw bytes as
 * received, before any JSON parsing.
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifyWebhookResult {
  const scheme = input.scheme ?? 'arkiv';
  const codec = schemeCodec(scheme);
  const toleranceSeconds = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!(toleranceSeconds >= 0)) throw new TypeError('toleranceSeconds must be zero or more');
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isFinite(now)) throw new TypeError('now must be unix seconds');

  if (scheme === 'standard-webhooks' && typeof input.secret === 'string' && input.secret.startsWith(PUBLIC_KEY_PREFIX)) {
    return verifyEd25519({ publicKey: input.secret, body: bodyBytes(input.body), headers: input.headers, toleranceSeconds, now });
  }
  return codec.verify({
    key: hmacKey(scheme, input.secret),
    body: bodyBytes(input.body),
    headers: input.headers,
    toleranceSeconds,
    now,
    algorithm: input.algorithm,
  });
}
