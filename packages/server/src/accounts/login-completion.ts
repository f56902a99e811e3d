import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { forgetStaleFailures } from './login-throttle.js';
import { membershipsOf } from './memberships.js';
import { hasTotp } from './mfa-store.js';
import { sessionOf } from './session-authenticator.js';
import { sessionClientOf } from './session-client.js';
import { setSessionCookie } from './session-cookie.js';
import { createSession, deleteExpiredSessions, deleteSession } from './sessions.js';
import type { User } from './users.js';

/** The body of GET /api/auth/me and of every route that signs someone in. */
export async function accountView(ctx: AppContext, user: User, csrfToken: string) {
  const [memberships, totpEnabled] = await Promise.all([membershipsOf(ctx.db, user.id), hasTotp(ctx.db, user.id)]);
  return { user: { id: user.id, email: user.email, totpEnabled }, memberships, csrfToken };
}

/**
 * The last step of every sign-in, once the user is proven (password, and second factor when on):
 * replaces whatever session this browser held with a new one and sets its cookie.
 */
export async function completeLogin(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, user: User) {
  const previous = sessionOf(request);
  if (previous) await deleteSession(ctx.db, previous.id);
  await deleteExpiredSessions(ctx.db, ctx.now());
  await forgetStaleFailures(ctx.db, ctx.now());
  const session = await createSession(ctx.db, user.id, ctx.now(), sessionClientOf(request));
  setSessionCookie(request, reply, session.token);
  request.log.info({ userId: user.id }, 'user logged in');
  return accountView(ctx, user, session.csrfToken);
}
