import { bodyBytes } from './hmac.js';
import { signEd25519 } from './scheme-standard-webhooks-ed25519.js';
import { schemeCodec } from './schemes.js';
import { hmacKey } from './secrets.js';
import type { SignWebhookInput } from './types.js';

// Header values we emit must be visible ASCII without spaces: no header injection, no re-splitting.
const HEADER_TOKEN = /^[\x21-\x7e]+$/;
const MAX_UNIX_SECONDS = 99_999_999_999;

/**
 * The signature and metadata headers for one delivery attempt under the endpoint's scheme (not
 * Content-Type or User-Agent: those are the dispatcher's). `body` must be the exact bytes that will be
 * sent; re-serialising JSON after signing breaks every signature.
 */
export function signWebhook(input: SignWebhookInput): Record<string, string> {
  const scheme = input.scheme ?? 'arkiv';
  const codec = schemeCodec(scheme);
  if (!Array.isArray(input.secrets) || input.secrets.length === 0) throw new TypeError('signWebhook needs at least one secret');
  for (const [name, value] of [['eventType', input.eventType], ['deliveryId', input.deliveryId]] as const) {
    if (typeof value !== 'string' || !HEADER_TOKEN.test(value)) throw new TypeError(`${name} must be visible ASCII without spaces`);
  }
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  // The upper bound (year 5138) catches milliseconds passed by mistake, which no receiver would accept.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_UNIX_SECONDS) {
    throw new TypeError('timestamp must be whole unix seconds');
  }

  if (input.algorithm === 'Ed25519') {
    if (scheme !== 'standard-webhooks') throw new TypeError(`Ed25519 signatures need the standard-webhooks scheme, not ${scheme}`);
    return signEd25519({ secretKeys: input.secrets, body: bodyBytes(input.body), deliveryId: input.deliveryId, timestamp });
  }
  const algorithm = input.algorithm;
  return codec.sign({
    keys: input.secrets.map((secret) => hmacKey(scheme, secret)),
    body: bodyBytes(input.body),
    eventType: input.eventType,
    deliveryId: input.deliveryId,
    timestamp,
    algorithm,
  });
}
