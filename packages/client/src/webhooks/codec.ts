import { fail, type HeaderSource, type HmacAlgorithm, type VerifyFailure, type VerifyWebhookResult } from './types.js';

/** What a scheme signs, already validated by `signWebhook`. */
export interface SigningRequest {
  /** HMAC keys, current secret's first. */
  keys: readonly Buffer[];
  body: Buffer;
  eventType: string;
  deliveryId: string;
  timestamp: number;
  algorithm: HmacAlgorithm | undefined;
}

/** What a scheme verifies, already validated by `verifyWebhook`. */
export interface VerifyRequest {
  key: Buffer;
  body: Buffer;
  headers: HeaderSource;
  toleranceSeconds: number;
  now: number;
  algorithm: HmacAlgorithm | undefined;
}

export interface SchemeCodec {
  sign(request: SigningRequest): Record<string, string>;
  verify(request: VerifyRequest): VerifyWebhookResult;
}

const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * The header's timestamp if it lies within the tolerance of `now`, in either direction: an old one may
 * be a replay, one from the future a sender whose clock must not be trusted.
 */
export function checkTimestamp(header: string, request: Pick<VerifyRequest, 'now' | 'toleranceSeconds'>): number | VerifyFailure {
  if (!UNIX_SECONDS.test(header)) return fail('malformed_header');
  const timestamp = Number(header);
  if (Math.abs(request.now - timestamp) > request.toleranceSeconds) return fail('timestamp_out_of_range');
  return timestamp;
}

/**
 * The algorithm to verify with. The request's algorithm header is not covered by any signature, so a
 * receiver may pin one; then a header naming another is refused rather than followed.
 */
export function resolveAlgorithm(
  header: string | undefined,
  supported: readonly HmacAlgorithm[],
  fallback: HmacAlgorithm,
  pinned: HmacAlgorithm | undefined,
): HmacAlgorithm | VerifyFailure {
  const sent = header?.trim().toLowerCase();
  const named = sent ? supported.find((name) => name.toLowerCase() === sent) : undefined;
  if (sent && !named) return fail('unsupported_algorithm');
  if (pinned && (!supported.includes(pinned) || (named && named !== pinned))) return fail('unsupported_algorithm');
  return named ?? pinned ?? fallback;
}

export const isFailure = (value: unknown): value is VerifyFailure =>
  typeof value === 'object' && value !== null && (value as VerifyFailure).ok === false;
