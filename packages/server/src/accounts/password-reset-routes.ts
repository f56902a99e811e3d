import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { notFound } from '../http/errors.js';
import { publicRoute } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { Text } from '../http/text-input.js';
import { createMailer } from '../mail/mailer.js';
import { csrfFailed, isCrossSiteRequest } from './csrf.js';
import { LinkTokenParams } from './invitation-schemas.js';
import { linkGone, newLinkToken } from './link-tokens.js';
import { addressKey, lockedFor, recordFailure, tooManyAttempts } from './login-throttle.js';
import { checkNewPassword, hashPassword } from './passwords.js';
import { claimPasswordReset, findPasswordReset, forgetPasswordResets, PASSWORD_RESET_TTL_MS, storePasswordReset } from './password-resets.js';
import { revokeUserSessions } from './sessions.js';
import { findUserByEmail, findUserById, setPasswordHash } from './users.js';
import { membershipsOf } from './memberships.js';
import { withAudit } from '../audit/audit-log.js';

const ResetRequestSchema = Type.Object({ email: Text({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });
const ResetSchema = Type.Object({ newPassword: Text({ maxLength: 1024 }) }, { additionalProperties: false });

/**
 * Forgotten passwords: a mailed, single-use link valid for an hour. Asking never tells whether the
 * email has an account (always 202; the link is stored and mailed after answering), and
 * both routes count against the client address's login throttle, so they are no way around it.
 */
export const passwordResetRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['auth'];
  const mailer = createMailer(ctx.config.mail, ctx.log);

  async function refuseThrottled(ip: string): Promise<void> {
    const locked = await lockedFor(ctx.db, [addressKey(ip)], ctx.now());
    if (locked > 0) throw tooManyAttempts(locked);
  }

  async function issueResetLink(user: { id: string; email: string }, token: string, hash: string): Promise<void> {
    await storePasswordReset(ctx.db, { userId: user.id, tokenHash: hash, now: ctx.now() });
    const url = `${ctx.config.publicUrl}/reset/${token}`;
    const text = [
      'Someone (hopefully you) asked to reset the password of your Arkiv account.',
      '',
      `Open this link within ${PASSWORD_RESET_TTL_MS / 60_000} minutes to choose a new password (it works once):`,
      url,
      '',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n');
    const mailed = await mailer.send({ to: user.email, subject: 'Reset your Arkiv password', text });
    ctx.log.info({ userId: user.id, mailed }, 'password reset requested');
  }

  app.post(
    '/api/auth/password-reset',
    {
      config: { csrfExempt: true },
      schema: {
        operationId: 'requestPasswordReset',
        summary: 'Mail a password-reset link to the address if it has an account (always 202, whether it has one or not)',
        description: 'Each request counts against the client address like a failed login; 429 too_many_attempts when that address is locked. Nothing is mailed without SMTP.',
        tags,
        security: publicRoute,
        body: ResetRequestSchema,
        response: { 202: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (isCrossSiteRequest(request)) throw csrfFailed('Requesting a password reset from another site is not allowed');
      await refuseThrottled(request.ip);
      await recordFailure(ctx.db, addressKey(request.ip), ctx.now());
      const user = await findUserByEmail(ctx.db, request.body.email);
      const { token, hash } = newLinkToken();
      if (user) {
        // Stored and mailed after answering: neither the insert nor SMTP may tell who has an account.
        // (setImmediate: after the answer has been written, not merely after this handler returns.)
        setImmediate(() => void issueResetLink(user, token, hash).catch((error: unknown) => ctx.log.error({ err: error, userId: user.id }, 'password reset link not stored')));
      }
      return reply.status(202).send(null);
    },
  );

  app.post(
    '/api/auth/password-reset/:token',
    {
      config: { csrfExempt: true },
      schema: {
        operationId: 'resetPassword',
        summary: 'Set a new password with a reset link; ends every session of the account',
        description:
          '400 password_too_short (the link stays usable); 404 unknown link (counted against the address like a failed login); ' +
          '410 reset_link_used or reset_link_expired; 429 too_many_attempts while the address is locked.',
        tags,
        security: publicRoute,
        params: LinkTokenParams,
        body: ResetSchema,
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), 410: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (isCrossSiteRequest(request)) throw csrfFailed('Resetting a password from another site is not allowed');
      await refuseThrottled(request.ip);
      checkNewPassword(request.body.newPassword);
      const reset = await findPasswordReset(ctx.db, request.params.token);
      if (!reset) {
        await recordFailure(ctx.db, addressKey(request.ip), ctx.now());
        throw notFound('Password-reset link');
      }
      if (reset.usedAt !== null) throw linkGone('reset_link_used', 'This password-reset link has been used already');
      if (ctx.now() >= reset.expiresAt) throw linkGone('reset_link_expired', 'This password-reset link has expired; ask for a new one');
      const passwordHash = await hashPassword(request.body.newPassword);
      const at = ctx.now();
      const { sessionsEnded } = await withAudit(
        ctx.db,
        async (trx) => {
          if (!(await claimPasswordReset(trx, request.params.token, at))) throw linkGone('reset_link_used', 'This password-reset link has been used already');
          await setPasswordHash(trx, reset.userId, passwordHash, at);
          // Whoever held a session (perhaps the reason for the reset) is signed out everywhere.
          const ended = await revokeUserSessions(trx, reset.userId);
          await forgetPasswordResets(trx, reset.userId, at);
          return { sessionsEnded: ended, user: await findUserById(trx, reset.userId), memberships: await membershipsOf(trx, reset.userId) };
        },
        // The actor is the account: the link proved its mailbox. In each organisation it belongs to.
        ({ sessionsEnded: ended, user, memberships }) =>
          memberships.map((m) => ({ orgId: m.orgId, action: 'account.password_reset' as const, actor: { kind: 'user' as const, id: reset.userId, label: user?.email ?? null }, address: request.ip, details: { userId: reset.userId, via: 'link', sessionsEnded: ended }, at })),
      );
      request.log.info({ userId: reset.userId, sessionsEnded }, 'password reset');
      return reply.status(204).send(null);
    },
  );
};
