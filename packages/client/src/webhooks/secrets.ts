import { randomBytes } from 'node:crypto';
import { generateEd25519KeyPair } from './ed25519-keys.js';
import type { SignatureAlgorithm, WebhookScheme } from './types.js';

const SECRET_BYTES = 32;
const STANDARD_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A new endpoint secret of 32 random bytes, in the form the user is shown and the receiver configures:
 * `whsec_<base64>` for Standard Webhooks (its spec), lowercase hex otherwise. Hex needs no escaping in
 * any UI, shell or Nexus-IQ-style receiver, and has no prefix a receiver might wrongly strip.
 */
export function generateSecret(scheme: WebhookScheme = 'arkiv', algorithm?: SignatureAlgorithm | null): string {
  // An Ed25519 endpoint's secret is its private key; the receiver is given publicKeyOf(secret).
  if (scheme === 'standard-webhooks' && algorithm === 'Ed25519') return generateEd25519KeyPair().secretKey;
  const key = randomBytes(SECRET_BYTES);
  return scheme === 'standard-webhooks' ? `${STANDARD_PREFIX}${key.toString('base64')}` : key.toString('hex');
}

/**
 * The HMAC key bytes behind a secret as the user sees it. `arkiv` and `nexus-iq` key with the whole
 * string's UTF-8 bytes (what `openssl dgst -hmac <secret>` does); Standard Webhooks keys with the
 * base64-decoded part after the optional `whsec_` prefix. A secret that yields no key is a
 * configuration mistake, so it throws instead of failing every delivery quietly.
 */
export function hmacKey(scheme: WebhookScheme, secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('webhook secret must be a non-empty string');
  if (scheme !== 'standard-webhooks') return Buffer.from(secret, 'utf8');

  const encoded = secret.startsWith(STANDARD_PREFIX) ? secret.slice(STANDARD_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  // Node's base64 decoder skips characters it does not know; re-encoding proves nothing was skipped.
  const canonical = BASE64.test(encoded) && key.toString('base64').replace(/=+$/, '') === encoded.replace(/=+$/, '');
  if (!canonical || key.length === 0) throw new TypeError('Standard Webhooks secret must be "whsec_" followed by base64');
  return key;
}
