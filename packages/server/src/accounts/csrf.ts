import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../http/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks cross-site requests itself (login: no session, no token yet). */
    csrfExempt?: boolean;
  }
}

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const csrfFailed = (message = 'The X-CSRF-Token header is missing or does not match this session') =>
  new AppError(403, 'csrf_failed', message);

/** Timing-safe: the comparison does not reveal how much of a guessed token was right. */
export function csrfTokenMatches(request: FastifyRequest, expected: string): boolean {
  const presented = request.headers['x-csrf-token'];
  if (typeof presented !== 'string') return false;
  const a = crypto.createHash('sha256').update(presented).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * Login has no session to hold a token yet, so login CSRF (a page logging the victim into the
 * attacker's account) is refused by origin instead. Browsers that send Sec-Fetch-Site are trusted
 * on it; older ones are judged by Origin against the Host they addressed; requests with neither
 * (curl, scripts) carry no ambient credentials and pass.
 */
export function isCrossSiteRequest(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== request.host;
  } catch {
    return true;
  }
}
