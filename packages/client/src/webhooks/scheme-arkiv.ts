import { readHeader, readRequiredHeaders } from './headers.js';
import { anyDigestMatches, computeHmac, parseHexSignatures } from './hmac.js';
import { checkTimestamp, isFailure, resolveAlgorithm, type SchemeCodec } from './codec.js';
import { fail } from './types.js';

export const ARKIV_HEADERS = {
  eventType: 'X-Arkiv-Webhook-Id',
  deliveryId: 'X-Arkiv-Webhook-Delivery',
  timestamp: 'X-Arkiv-Webhook-Timestamp',
  signature: 'X-Arkiv-Webhook-Signature',
  algorithm: 'X-Arkiv-Webhook-Signature-Algorithm',
} as const;

/**
 * Arkiv's default scheme, seed 004's header style under our prefix.
 *
 * `X-Arkiv-Webhook-Signature` is the lowercase hex HMAC-SHA256 of the raw body bytes, keyed with the
 * secret's UTF-8 bytes. During secret rotation it is a comma-separated list of such signatures,
 * current secret first (`<hex>,<hex>`); a receiver accepts when any entry matches its secret.
 *
 * Only the body is signed: the id, delivery and timestamp headers are not. The timestamp window
 * therefore rejects stale honest retries and skewed clocks, but someone who captured a delivery can
 * rewrite its timestamp; receivers that need replay protection must also remember delivery ids
 * (or use `standard-webhooks`, which signs the id and timestamp).
 */
export const arkivScheme: SchemeCodec = {
  sign({ keys, body, eventType, deliveryId, timestamp, algorithm }) {
    if (algorithm && algorithm !== 'HmacSHA256') throw new TypeError(`arkiv signs with HmacSHA256 only, not ${algorithm}`);
    const signatures = keys.map((key) => computeHmac('HmacSHA256', key, body).toString('hex'));
    return {
      [ARKIV_HEADERS.eventType]: eventType,
      [ARKIV_HEADERS.deliveryId]: deliveryId,
      [ARKIV_HEADERS.timestamp]: String(timestamp),
      [ARKIV_HEADERS.signature]: signatures.join(','),
      [ARKIV_HEADERS.algorithm]: 'HmacSHA256',
    };
  },

  verify(request) {
    const { eventType, deliveryId, timestamp, signature } = ARKIV_HEADERS;
    const found = readRequiredHeaders(request.headers, [eventType, deliveryId, timestamp, signature]);
    if (!found) return fail('missing_header');

    const algorithm = resolveAlgorithm(readHeader(request.headers, ARKIV_HEADERS.algorithm), ['HmacSHA256'], 'HmacSHA256', request.algorithm);
    if (isFailure(algorithm)) return algorithm;
    const checkedTimestamp = checkTimestamp(found[timestamp], request);
    if (isFailure(checkedTimestamp)) return checkedTimestamp;

    const expected = computeHmac(algorithm, request.key, request.body);
    if (!anyDigestMatches(expected, parseHexSignatures(found[signature]))) return fail('bad_signature');
    return { ok: true, eventType: found[eventType], deliveryId: found[deliveryId], timestamp: checkedTimestamp };
  },
};
