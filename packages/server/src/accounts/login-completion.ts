import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { withAudit } from '../audit/audit-log.js';
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
export async function completeLogin(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, user: User, method: SignInMethod = 'password') {
  await forgetStaleFailures(ctx.db, ctx.now());
  const session = await startSession(ctx, request, reply, user, method);
  request.log.info({ userId: user.id }, 'user logged in');
  return accountView(ctx, user, session.csrfToken);
}

/** How someone proved who they are: recorded with each sign-in in the audit log. */
export type SignInMethod = 'password' | 'password+totp' | 'password+recovery_code' | 'oidc';

/**
 * Replaces whatever session this browser held with a new one, sets its cookie and records the
 * sign-in, in the same transaction, in each organisation the user belongs to (each one's
 * administrators see who signed in).
 */
export async function startSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, user: User, method: SignInMethod) {
  const previous = sessionOf(request);
  if (previous) await deleteSession(ctx.db, previous.id);
  await deleteExpiredSessions(ctx.db, ctx.now());
  const at = ctx.now();
  const { session } = await withAudit(
    ctx.db,
    async (trx) => ({ session: await createSession(trx, user.id, at, sessionClientOf(request)), memberships: await membershipsOf(trx, user.id) }),
    ({ memberships }) =>
      memberships.map((m) => ({ orgId: m.orgId, action: 'auth.login' as const, actor: { kind: 'user' as const, id: user.id, label: user.email }, address: request.ip, details: { method }, at })),
  );
  setSessionCookie(request, reply, session.token);
  return session;
}
