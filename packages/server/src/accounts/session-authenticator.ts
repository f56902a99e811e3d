import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal.js';
import type { AppContext, Authenticator } from '../context.js';
import { csrfFailed, csrfTokenMatches, STATE_CHANGING } from './csrf.js';
import { effectiveRolesOf } from './mfa-policy.js';
import { readSessionCookie } from './session-cookie.js';
import { resolveSession, type ActiveSession } from './sessions.js';

const sessionsByRequest = new WeakMap<FastifyRequest, ActiveSession>();

/** The session that authenticated this request, if it was the session cookie. */
export const sessionOf = (request: FastifyRequest): ActiveSession | null => sessionsByRequest.get(request) ?? null;

/**
 * Resolves the session cookie into a user principal. The cookie is an ambient credential (the
 * browser attaches it to requests other sites trigger), so a state-changing request may use it
 * only with the session's CSRF token in X-CSRF-Token; otherwise the request is refused outright
 * (403 csrf_failed) rather than downgraded to anonymous. Bearer tokens never reach this code.
 */
export function sessionAuthenticator(ctx: AppContext): Authenticator {
  const authenticate = async (request: FastifyRequest, token: string): Promise<Principal | null> => {
    const session = await resolveSession(ctx.db, token, ctx.now());
    if (!session) return null;
    if (STATE_CHANGING.has(request.method) && !request.routeOptions.config?.csrfExempt && !csrfTokenMatches(request, session.csrfToken)) {
      throw csrfFailed();
    }
    sessionsByRequest.set(request, session);
    const { roles, mfaEnrolmentRequired } = await effectiveRolesOf(ctx.db, session.userId);
    return { kind: 'user', id: session.userId, email: session.email, roles, mfaEnrolmentRequired };
  };
  return (request) => {
    const token = readSessionCookie(request);
    return token ? authenticate(request, token) : null;
  };
}
