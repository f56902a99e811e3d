import { readRequiredHeaders } from './headers.js';
import { anyDigestMatches, computeHmac } from './hmac.js';
import { checkTimestamp, isFailure, type SchemeCodec } from './codec.js';
import { fail } from './types.js';

export const STANDARD_WEBHOOKS_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const SYMMETRIC_VERSION = 'v1';

/**
 * `v1` signature bytes from the space-separated header. Other versions (`v1a`, asymmetric) and junk
 * are skipped; `otherVersionsOnly` tells a header this verifier cannot judge from a wrong signature.
 */
function symmetricSignatures(header: string): { digests: Buffer[]; otherVersionsOnly: boolean } {
  const digests: Buffer[] = [];
  let symmetric = 0;
  let other = 0;
  for (const entry of header.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma <= 0) continue;
    if (entry.slice(0, comma) !== SYMMETRIC_VERSION) {
      other += 1;
      continue;
    }
    symmetric += 1;
    const encoded = entry.slice(comma + 1);
    const digest = Buffer.from(encoded, 'base64');
    // Only canonical base64 counts: Node's decoder would skip characters it does not know.
    if (digest.toString('base64') === encoded) digests.push(digest);
  }
  return { digests, otherVersionsOnly: symmetric === 0 && other > 0 };
}

/**
 * The Standard Webhooks spec (v1.0.0, symmetric): `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`, one per secret during
 * rotation; the key is the base64 part of `whsec_<base64>`. `webhook-id` is the delivery id, the
 * idempotency key the spec asks receivers to remember; the event type travels in the payload.
 */
export const standardWebhooksScheme: SchemeCodec = {
  sign({ keys, body, deliveryId, timestamp, algorithm }) {
    if (algorithm && algorithm !== 'HmacSHA256') throw new TypeError(`standard-webhooks signs with HmacSHA256 only, not ${algorithm}`);
    // The signed content is dot-delimited: an id containing "." could be re-split into another id.
    if (deliveryId.includes('.')) throw new TypeError('standard-webhooks delivery id must not contain "."');
    const signatures = keys.map(
      (key) => `${SYMMETRIC_VERSION},${computeHmac('HmacSHA256', key, `${deliveryId}.${timestamp}.`, body).toString('base64')}`,
    );
    return {
      [STANDARD_WEBHOOKS_HEADERS.id]: deliveryId,
      [STANDARD_WEBHOOKS_HEADERS.timestamp]: String(timestamp),
      [STANDARD_WEBHOOKS_HEADERS.signature]: signatures.join(' '),
    };
  },

  verify(request) {
    const { id, timestamp, signature } = STANDARD_WEBHOOKS_HEADERS;
    const found = readRequiredHeaders(request.headers, [id, timestamp, signature]);
    if (!found) return fail('missing_header');
    if (request.algorithm && request.algorithm !== 'HmacSHA256') return fail('unsupported_algorithm');

    const checkedTimestamp = checkTimestamp(found[timestamp], request);
    if (isFailure(checkedTimestamp)) return checkedTimestamp;

    const { digests, otherVersionsOnly } = symmetricSignatures(found[signature]);
    if (otherVersionsOnly) return fail('unsupported_algorithm');
    const expected = computeHmac('HmacSHA256', request.key, `${found[id]}.${found[timestamp]}.`, request.body);
    if (!anyDigestMatches(expected, digests)) return fail('bad_signature');
    return { ok: true, eventType: null, deliveryId: found[id], timestamp: checkedTimestamp };
  },
};
