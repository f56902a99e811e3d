import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../http/errors.js';
import { actorOf, requestSource, withAudit } from '../audit/audit-log.js';
import { membershipsOf } from './memberships.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { AccountDeletionSchema, AccountSchema, LoginBodySchema, PasswordChangeSchema } from './account-schemas.js';
import { deleteAccount } from './account-deletion.js';
import { checkCredentials } from './credentials.js';
import { csrfFailed, isCrossSiteRequest } from './csrf.js';
import { checkNewPassword, hashPassword } from './passwords.js';
import { sessionOf } from './session-authenticator.js';
import { clearSessionCookie } from './session-cookie.js';
import { deleteSession, revokeUserSessions, type ActiveSession } from './sessions.js';
import { accountView, completeLogin } from './login-completion.js';
import { challengeSecondFactor } from './second-factor.js';
import { MfaRequiredProblemSchema } from './mfa-schemas.js';
import { requiresSso, ssoRequired } from './sso-settings.js';
import { setPasswordHash } from './users.js';
import { publicRoute, sessionOnly } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';

export { accountView } from './login-completion.js';

/** Routes about "my session" need a session: a token has no account (403), nobody at all is a 401. */
export function requireSession(request: FastifyRequest): ActiveSession {
  const session = sessionOf(request);
  if (session) return session;
  if (request.principal) throw forbidden('This needs a dashboard session; API tokens have no user account');
  throw unauthorized('Not logged in');
}

/** /api/auth/…: login, logout, the current session, password change, account deletion. */
export const authRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['auth'];

  app.post(
    '/api/auth/login',
    {
      config: { csrfExempt: true },
      schema: {
        operationId: 'login',
        summary: 'Log in: sets the arkiv_session cookie and returns the CSRF token',
        description:
          '401 invalid_credentials for a wrong email or password (the same either way); 403 sso_required when an organisation of the account requires single sign-on; 429 too_many_attempts with Retry-After after repeated failures for the account or address. ' +
          'With TOTP on, the right password answers 401 mfa_required with an mfaToken (single use, 5 minutes) for POST /api/auth/login/mfa.',
        tags,
        security: publicRoute,
        body: LoginBodySchema,
        response: { 200: refTo(AccountSchema), ...problemResponses, 401: refTo(MfaRequiredProblemSchema) },
      },
    },
    async (request, reply) => {
      if (isCrossSiteRequest(request)) throw csrfFailed('Logging in from another site is not allowed');
      const user = await checkCredentials(ctx, { email: request.body.email, password: request.body.password, address: request.ip });
      if (await requiresSso(ctx.db, user.id)) throw ssoRequired();
      await challengeSecondFactor(ctx, user);
      return completeLogin(ctx, request, reply, user);
    },
  );

  app.post(
    '/api/auth/logout',
    { schema: { operationId: 'logout', summary: 'Log out: ends the session server-side', tags, security: sessionOnly, response: { 204: Type.Null(), ...problemResponses } } },
    async (request, reply) => {
      const session = sessionOf(request);
      if (session) await deleteSession(ctx.db, session.id);
      clearSessionCookie(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    { schema: { operationId: 'getCurrentAccount', summary: 'The logged-in user, their organisations and roles, and the CSRF token', tags, security: sessionOnly, response: { 200: refTo(AccountSchema), ...problemResponses } } },
    async (request) => {
      const session = requireSession(request);
      return accountView(ctx, { id: session.userId, email: session.email }, session.csrfToken);
    },
  );

  app.post(
    '/api/auth/password',
    {
      schema: {
        operationId: 'changePassword',
        summary: "Change the logged-in user's password; ends their other sessions",
        description: '403 invalid_credentials when currentPassword is wrong; 400 password_too_short below 12 characters.',
        tags,
        security: sessionOnly,
        body: PasswordChangeSchema,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      checkNewPassword(request.body.newPassword);
      await checkCredentials(ctx, { email: session.email, password: request.body.currentPassword, address: request.ip, failureStatus: 403 });
      const passwordHash = await hashPassword(request.body.newPassword);
      const at = ctx.now();
      await withAudit(
        ctx.db,
        async (trx) => {
          await setPasswordHash(trx, session.userId, passwordHash, at);
          // Whoever else held a session (perhaps the reason for the change) is logged out.
          return { sessionsEnded: await revokeUserSessions(trx, session.userId, session.id), memberships: await membershipsOf(trx, session.userId) };
        },
        // In each organisation the account belongs to, as its sign-ins are.
        ({ sessionsEnded, memberships }) =>
          memberships.map((m) => ({ orgId: m.orgId, action: 'account.password_change' as const, ...requestSource(request), details: { userId: session.userId, sessionsEnded }, at })),
      );
      request.log.info({ userId: session.userId }, 'password changed');
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/auth/me',
    {
      schema: {
        operationId: 'deleteMyAccount',
        summary: "Delete the logged-in user's account: its memberships, sessions and pending invitations (organisation data stays)",
        description: '403 invalid_credentials when password is wrong; 409 last_owner when the user is the last owner of an organisation; 429 too_many_attempts as for login.',
        tags,
        security: sessionOnly,
        body: AccountDeletionSchema,
        response: { 204: Type.Null(), 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      await checkCredentials(ctx, { email: session.email, password: request.body.password, address: request.ip, failureStatus: 403 });
      const deleted = await deleteAccount(ctx.db, { id: session.userId, email: session.email }, { actor: actorOf(request.principal), address: request.ip, at: ctx.now() });
      clearSessionCookie(request, reply);
      request.log.info({ userId: deleted.userId, sessionsEnded: deleted.sessionsEnded, invitationsWithdrawn: deleted.invitationsWithdrawn }, 'account deleted');
      return reply.status(204).send(null);
    },
  );
};
