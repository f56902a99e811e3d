import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HmacAlgorithm, WebhookBody } from './types.js';

const NODE_DIGEST: Record<HmacAlgorithm, string> = { HmacSHA1: 'sha1', HmacSHA256: 'sha256' };

/** The body's exact bytes: strings are UTF-8, byte arrays are used as they are (no copy). */
export function bodyBytes(body: WebhookBody): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** HMAC over the concatenation of `parts`, fed in order without joining them into a copy. */
export function computeHmac(algorithm: HmacAlgorithm, key: Uint8Array, ...parts: WebhookBody[]): Buffer {
  const mac = createHmac(NODE_DIGEST[algorithm], key);
  for (const part of parts) mac.update(bodyBytes(part));
  return mac.digest();
}

/**
 * Whether any candidate equals `expected`. Every candidate of the right length goes through
 * `timingSafeEqual` and none short-circuits the loop, so the time taken says nothing about which
 * byte differs or which candidate matched. Skipping a wrong-length candidate leaks only its length,
 * which is public (every valid signature of one algorithm has the same length).
 */
export function anyDigestMatches(expected: Buffer, candidates: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    if (candidate.length !== expected.length) continue;
    matched = timingSafeEqual(candidate, expected) || matched;
  }
  return matched;
}

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Digests from a header holding one hex signature or, during secret rotation, a comma-separated list
 * of them. Entries that are not hex are dropped: they can match nothing. (Node's hex decoder would
 * silently stop at the first bad character, so it must never see one.)
 */
export function parseHexSignatures(header: string): Buffer[] {
  return header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0 && entry.length % 2 === 0 && HEX.test(entry))
    .map((entry) => Buffer.from(entry, 'hex'));
}
