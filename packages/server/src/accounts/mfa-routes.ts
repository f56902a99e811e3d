import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requestSource, withAudit } from '../audit/audit-log.js';
import { requirePermission } from '../http/auth.js';
import { AppError, conflict, mfaEnrolmentRequired, notFound } from '../http/errors.js';
import { publicRoute, sessionOnly, signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { AccountSchema, OrgParams } from './account-schemas.js';
import { requireSession } from './auth-routes.js';
import { csrfFailed, isCrossSiteRequest } from './csrf.js';
import { completeLogin } from './login-completion.js';
import { addressKey, lockedFor, recordFailure, tooManyAttempts } from './login-throttle.js';
import { findMfaPolicy, setMfaPolicy } from './mfa-policy.js';
import { LoginMfaSchema, MfaPolicySchema, RecoveryCodesSchema, SecondFactorSchema, TotpConfirmSchema, TotpEnrolmentSchema } from './mfa-schemas.js';
import { claimMfaChallenge, confirmTotp, findMfaChallenge, findTotp, hasTotp, removeTotp, replaceRecoveryCodes, startTotpEnrolment } from './mfa-store.js';
import { checkProofShape, proveSecondFactor, underMfaThrottle } from './second-factor.js';
import { matchingStep, newTotpSecret, otpauthUrl } from './totp.js';
import { findUserById } from './users.js';

const mfaTokenInvalid = () => new AppError(401, 'mfa_token_invalid', 'This sign-in has expired or was completed already; sign in again with your password');

/**
 * The TOTP second factor: enrolment (a pending secret, confirmed by a first code, which also
 * yields the recovery codes), turning it off, the second step of a password login, and the
 * organisation policy that requires it of members.
 */
export const mfaRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['auth'];

  app.post(
    '/api/auth/mfa/totp',
    {
      schema: {
        operationId: 'startTotpEnrolment',
        summary: 'Start turning on TOTP: a new secret and its otpauth:// URI (pending until confirmed with a code)',
        description: 'Asking again before confirming replaces the pending secret. 409 totp_already_enabled when TOTP is on.',
        tags,
        security: sessionOnly,
        response: { 200: TotpEnrolmentSchema, 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const secret = newTotpSecret();
      if (!(await startTotpEnrolment(ctx.db, ctx.secrets, session.userId, secret, ctx.now()))) {
        throw conflict('totp_already_enabled', 'TOTP is on already; turn it off first to enrol another device');
      }
      return { secret, otpauthUrl: otpauthUrl(secret, session.email) };
    },
  );

  app.post(
    '/api/auth/mfa/totp/confirm',
    {
      schema: {
        operationId: 'confirmTotpEnrolment',
        summary: 'Turn TOTP on with a first code from the app; answers the 10 recovery codes, shown this once',
        description: '403 invalid_mfa_code for a wrong code (throttled like logins: 429 too_many_attempts); 409 totp_not_pending without a pending enrolment.',
        tags,
        security: sessionOnly,
        body: TotpConfirmSchema,
        response: { 200: RecoveryCodesSchema, 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const totp = await findTotp(ctx.db, ctx.secrets, session.userId);
      if (!totp || totp.confirmed) throw conflict('totp_not_pending', 'There is no pending TOTP enrolment; start one with POST /api/auth/mfa/totp');
      const user = { id: session.userId, email: session.email };
      await underMfaThrottle(ctx, { user, address: request.ip, failureStatus: 403 }, async () => {
        const step = matchingStep(totp.secret, request.body.code, ctx.now());
        return step !== null && (await confirmTotp(ctx.db, session.userId, step, ctx.now()));
      });
      const recoveryCodes = await replaceRecoveryCodes(ctx.db, session.userId, ctx.now());
      request.log.info({ userId: session.userId }, 'TOTP turned on');
      return { recoveryCodes };
    },
  );

  app.delete(
    '/api/auth/mfa/totp',
    {
      schema: {
        operationId: 'disableTotp',
        summary: 'Turn TOTP off with a current code or a recovery code; the recovery codes go with it',
        description: '400 unless exactly one of code and recoveryCode; 403 invalid_mfa_code (throttled like logins); 409 totp_not_enabled.',
        tags,
        security: sessionOnly,
        body: SecondFactorSchema,
        response: { 204: Type.Null(), 409: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      checkProofShape(request.body);
      if (!(await hasTotp(ctx.db, session.userId))) throw conflict('totp_not_enabled', 'TOTP is not on for this account');
      const user = { id: session.userId, email: session.email };
      await underMfaThrottle(ctx, { user, address: request.ip, failureStatus: 403 }, () => proveSecondFactor(ctx, session.userId, request.body));
      await removeTotp(ctx.db, session.userId);
      request.log.info({ userId: session.userId }, 'TOTP turned off');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/auth/login/mfa',
    {
      config: { csrfExempt: true },
      schema: {
        operationId: 'loginWithSecondFactor',
        summary: 'Second step of a login with TOTP on: the mfaToken from mfa_required and a code or recovery code; sets the session cookie',
        description:
          '401 mfa_token_invalid when the mfaToken is unknown, expired (5 minutes) or used; 401 invalid_mfa_code for a wrong, replayed or used code ' +
          '(the mfaToken stays usable until it expires); 429 too_many_attempts, counted with the login throttle.',
        tags,
        security: publicRoute,
        body: LoginMfaSchema,
        response: { 200: refTo(AccountSchema), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (isCrossSiteRequest(request)) throw csrfFailed('Logging in from another site is not allowed');
      checkProofShape(request.body);
      const userId = await findMfaChallenge(ctx.db, request.body.mfaToken, ctx.now());
      if (!userId) {
        const locked = await lockedFor(ctx.db, [addressKey(request.ip)], ctx.now());
        if (locked > 0) throw tooManyAttempts(locked);
        await recordFailure(ctx.db, addressKey(request.ip), ctx.now());
        throw mfaTokenInvalid();
      }
      const row = await findUserById(ctx.db, userId);
      if (!row) throw mfaTokenInvalid();
      const user = { id: row.id, email: row.email };
      await underMfaThrottle(ctx, { user, address: request.ip, failureStatus: 401 }, () => proveSecondFactor(ctx, user.id, request.body));
      // Of two requests racing with one mfaToken (and two good codes), one signs in.
      if (!(await claimMfaChallenge(ctx.db, request.body.mfaToken))) throw mfaTokenInvalid();
      return completeLogin(ctx, request, reply, user, request.body.code !== undefined ? 'password+totp' : 'password+recovery_code');
    },
  );

  app.get(
    '/api/orgs/:orgId/mfa-policy',
    {
      schema: {
        operationId: 'getMfaPolicy',
        summary: "Whether the organisation requires a second factor (TOTP) of its members",
        tags: ['organisations'],
        security: signedIn,
        params: OrgParams,
        response: { 200: MfaPolicySchema, 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const requireMfa = await findMfaPolicy(ctx.db, request.params.orgId);
      if (requireMfa === undefined) throw notFound('Organisation');
      return { requireMfa };
    },
  );

  app.put(
    '/api/orgs/:orgId/mfa-policy',
    {
      schema: {
        operationId: 'setMfaPolicy',
        summary: 'Require (or stop requiring) a second factor of every member of the organisation',
        description:
          'While required, members without TOTP get 403 mfa_enrolment_required on the organisation until they turn it on; API tokens are not affected. ' +
          'An administrator signed in without TOTP cannot turn it on (403 mfa_enrolment_required): they would lock themselves out.',
        tags: ['organisations'],
        security: signedIn,
        params: OrgParams,
        body: MfaPolicySchema,
        response: { 200: MfaPolicySchema, 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      const principal = requirePermission(request, request.params.orgId, 'org:admin');
      if (request.body.requireMfa && principal.kind === 'user' && !(await hasTotp(ctx.db, principal.id))) {
        throw mfaEnrolmentRequired('Turn on TOTP for your own account before requiring it of the organisation');
      }
      if ((await findMfaPolicy(ctx.db, request.params.orgId)) === undefined) throw notFound('Organisation');
      const orgId = request.params.orgId;
      await withAudit(
        ctx.db,
        (trx) => setMfaPolicy(trx, orgId, request.body.requireMfa),
        () => ({ orgId, action: 'org.mfa_policy_update', ...requestSource(request), details: { requireMfa: request.body.requireMfa }, at: ctx.now() }),
      );
      request.log.info({ orgId: request.params.orgId, requireMfa: request.body.requireMfa }, 'MFA policy set');
      return { requireMfa: request.body.requireMfa };
    },
  );
};
