import { readHeader, readRequiredHeaders } from './headers.js';
import { anyDigestMatches, computeHmac, parseHexSignatures } from './hmac.js';
import { isFailure, resolveAlgorithm, type SchemeCodec } from './codec.js';
import { fail, type HmacAlgorithm } from './types.js';

export const NEXUS_IQ_HEADERS = {
  eventType: 'X-Nexus-Webhook-Id',
  deliveryId: 'X-Nexus-Webhook-Delivery',
  signature: 'X-Nexus-Webhook-Signature',
  algorithm: 'X-Nexus-Webhook-Signature-Algorithm',
} as const;

const SUPPORTED: readonly HmacAlgorithm[] = ['HmacSHA1', 'HmacSHA256'];

/**
 * Nexus IQ Server's webhook headers (seed 004), for receivers built for Nexus IQ: lowercase hex HMAC of
 * the raw body, keyed with the secret's UTF-8 bytes, HmacSHA1 unless HmacSHA256 is chosen.
 *
 * Nexus IQ sends one signature and some senders omit the algorithm header, so: we sign with the
 * current secret only (secret rotation is a cut-over for this scheme: a receiver built for Nexus IQ
 * could not read a list), and a missing algorithm header means HmacSHA1.
 *
 * The scheme has no timestamp, so there is no replay window: a receiver's only replay protection is
 * remembering the delivery ids (`X-Nexus-Webhook-Delivery`) it has processed.
 */
export const nexusIqScheme: SchemeCodec = {
  sign({ keys, body, eventType, deliveryId, algorithm = 'HmacSHA1' }) {
    if (!SUPPORTED.includes(algorithm)) throw new TypeError(`nexus-iq signs with HmacSHA1 or HmacSHA256, not ${algorithm}`);
    const [currentKey] = keys;
    if (!currentKey) throw new TypeError('nexus-iq needs a secret to sign with');
    const signature = computeHmac(algorithm, currentKey, body).toString('hex');
    return {
      [NEXUS_IQ_HEADERS.eventType]: eventType,
      [NEXUS_IQ_HEADERS.deliveryId]: deliveryId,
      [NEXUS_IQ_HEADERS.signature]: signature,
      [NEXUS_IQ_HEADERS.algorithm]: algorithm,
    };
  },

  verify(request) {
    const { eventType, deliveryId, signature } = NEXUS_IQ_HEADERS;
    const found = readRequiredHeaders(request.headers, [eventType, deliveryId, signature]);
    if (!found) return fail('missing_header');

    const algorithm = resolveAlgorithm(readHeader(request.headers, NEXUS_IQ_HEADERS.algorithm), SUPPORTED, 'HmacSHA1', request.algorithm);
    if (isFailure(algorithm)) return algorithm;

    const expected = computeHmac(algorithm, request.key, request.body);
    if (!anyDigestMatches(expected, parseHexSignatures(found[signature]))) return fail('bad_signature');
    return { ok: true, eventType: found[eventType], deliveryId: found[deliveryId], timestamp: null };
  },
};
