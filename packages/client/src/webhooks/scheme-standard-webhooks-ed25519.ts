import { sign, verify } from 'node:crypto';
import { checkTimestamp, isFailure } from './codec.js';
import { ed25519PrivateKey, ed25519PublicKey } from './ed25519-keys.js';
import { readRequiredHeaders } from './headers.js';
import { STANDARD_WEBHOOKS_HEADERS } from './scheme-standard-webhooks.js';
import { fail, type HeaderSource, type VerifyWebhookResult } from './types.js';

const ASYMMETRIC_VERSION = 'v1a';
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

const signedContent = (id: string, timestamp: string | number, body: Buffer) => Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);

/**
 * The asymmetric form of Standard Webhooks (v1.0.0): `webhook-signature` lists `v1a,<base64 Ed25519
 * signature of "{webhook-id}.{webhook-timestamp}.{body}">`, one per key during rotation (current
 * first), space-separated. Keys are `whsk_<base64 seed>`; receivers verify with `whpk_<base64>`.
 */
export function signEd25519(input: { secretKeys: readonly string[]; body: Buffer; deliveryId: string; timestamp: number }): Record<string, string> {
  if (input.deliveryId.includes('.')) throw new TypeError('standard-webhooks delivery id must not contain "."');
  const content = signedContent(input.deliveryId, input.timestamp, input.body);
  const signatures = input.secretKeys.map((key) => `${ASYMMETRIC_VERSION},${sign(null, content, ed25519PrivateKey(key)).toString('base64')}`);
  return {
    [STANDARD_WEBHOOKS_HEADERS.id]: input.deliveryId,
    [STANDARD_WEBHOOKS_HEADERS.timestamp]: String(input.timestamp),
    [STANDARD_WEBHOOKS_HEADERS.signature]: signatures.join(' '),
  };
}

/** Verifies the `v1a` entries with the endpoint's public key; `v1` entries cannot be judged with it. */
export function verifyEd25519(request: { publicKey: string; body: Buffer; headers: HeaderSource; toleranceSeconds: number; now: number }): VerifyWebhookResult {
  const key = ed25519PublicKey(request.publicKey);
  const { id, timestamp, signature } = STANDARD_WEBHOOKS_HEADERS;
  const found = readRequiredHeaders(request.headers, [id, timestamp, signature]);
  if (!found) return fail('missing_header');
  const checkedTimestamp = checkTimestamp(found[timestamp], request);
  if (isFailure(checkedTimestamp)) return checkedTimestamp;

  let asymmetric = 0;
  let valid = false;
  const content = signedContent(found[id], found[timestamp], request.body);
  for (const entry of found[signature].split(' ')) {
    const comma = entry.indexOf(',');
    if (comma <= 0 || entry.slice(0, comma) !== ASYMMETRIC_VERSION) continue;
    asymmetric += 1;
    const encoded = entry.slice(comma + 1);
    // Verification time depends on nothing secret: every entry is checked, none short-circuits.
    if (SIGNATURE.test(encoded)) valid = verify(null, content, key, Buffer.from(encoded, 'base64')) || valid;
  }
  if (asymmetric === 0) return fail('unsupported_algorithm');
  if (!valid) return fail('bad_signature');
  return { ok: true, eventType: null, deliveryId: found[id], timestamp: checkedTimestamp };
}
