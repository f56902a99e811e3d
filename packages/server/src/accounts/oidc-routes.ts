import crypto from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { clientAddressKey } from '../http/client-address.js';
import { AppError } from '../http/errors.js';
import { publicRoute } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { Text } from '../http/text-input.js';
import { OidcRelyingParty, ssoNotConfigured, type OidcIdentity } from './oidc-client.js';
import { storeOidcLogin, takeOidcLogin, OIDC_LOGIN_TTL_MS } from './oidc-logins.js';
import { startSession } from './login-completion.js';
import { applySsoRoles } from './sso-settings.js';
import { createUser, findUserByEmail, type User } from './users.js';

/** Holds the `state` of the sign-in this browser started, so a callback only completes in the browser that began it. */
const STATE_COOKIE = 'arkiv_oidc_state';
const COOKIE_PATH = '/api/auth/oidc';
/**
 * SSO starts and callbacks per minute per client address. Each start writes a row anyone can
 * cause without signing in; a person needs a handful, an office behind one address a few dozen.
 */
export const SSO_REQUESTS_PER_MINUTE = 120;

export const ssoStateInvalid = () =>
  new AppError(400, 'sso_state_invalid', 'This single sign-on answer does not belong to a sign-in this browser started (or it was used already); start again');

/** Where the browser lands after a refused sign-in: the dashboard's sign-in page explains the code. */
const failurePage = (code: string) => `/login?ssoError=${encodeURIComponent(code)}`;

function stateCookieOf(request: FastifyRequest): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === STATE_COOKIE) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * SameSite=Lax: the provider sends the browser back with a top-level GET, which carries Lax
 * cookies; nothing else cross-site does. Scoped to the OIDC routes and to the sign-in's lifetime.
 */
function setStateCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${STATE_COOKIE}=${value}; Max-Age=${maxAgeSeconds}; Path=${COOKIE_PATH}; HttpOnly; SameSite=Lax${secure}`);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** The account of the verified email, created (with a random password nobody knows) on a first sign-in. */
async function accountFor(ctx: AppContext, identity: OidcIdentity): Promise<{ user: User; created: boolean }> {
  const existing = await findUserByEmail(ctx.db, identity.email);
  if (existing) return { user: { id: existing.id, email: existing.email }, created: false };
  const password = crypto.randomBytes(32).toString('base64url');
  try {
    return { user: await createUser(ctx.db, { email: identity.email, password, now: ctx.now() }), created: true };
  } catch (error) {
    // The same person's other tab created it a moment ago.
    const raced = await findUserByEmail(ctx.db, identity.email);
    if (raced) return { user: { id: raced.id, email: raced.email }, created: false };
    throw error;
  }
}

/**
 * A browser navigation answers with a redirect, never a 2XX; OpenAPI counts only 2XX as success,
 * so the redirect is documented with `default` saying what every other answer is: a problem+json.
 */
const redirectResponses = (description: string) => ({
  303: Type.Null({ description }),
  404: Type.Ref('Problem'),
  503: Type.Ref('Problem'),
  ...problemResponses,
  default: Type.Ref('Problem'),
});

/** /api/auth/config and /api/auth/oidc/…: single sign-on through the OpenID Provider of ARKIV_OIDC_*. */
export const oidcRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['auth'];
  const settings = ctx.config.oidc;
  const redirectUri = () => `${ctx.config.publicUrl}/api/auth/oidc/callback`;
  const relyingParty = settings ? new OidcRelyingParty(settings, redirectUri, ctx.log) : undefined;

  app.get(
    '/api/auth/config',
    {
      schema: {
        operationId: 'getAuthConfig',
        summary: 'How people can sign in here: whether single sign-on is configured (the dashboard shows "Sign in with SSO")',
        tags,
        security: publicRoute,
        response: {
          200: Type.Object({
            sso: Type.Object({
              enabled: Type.Boolean(),
              loginUrl: Type.Optional(Type.String({ description: 'Open in the browser (a navigation, not a fetch) to sign in through the provider' })),
            }),
          }),
          ...problemResponses,
        },
      },
    },
    async () => ({ sso: settings ? { enabled: true, loginUrl: '/api/auth/oidc/login' } : { enabled: false } }),
  );

  // The rate limit applies to the two routes below, in their own scope.
  await app.register(async (scope) => {
    await scope.register(rateLimit, { max: SSO_REQUESTS_PER_MINUTE, timeWindow: 60_000, keyGenerator: (request) => clientAddressKey(request.ip) });
    const limited = scope.withTypeProvider<TypeBoxTypeProvider>();

    limited.get(
      '/api/auth/oidc/login',
      {
        schema: {
          operationId: 'startSsoLogin',
          summary: 'Start a single sign-on: redirects the browser to the OpenID Provider (authorization code flow with PKCE)',
          description: '404 sso_not_configured without ARKIV_OIDC_ISSUER. When the provider cannot be reached, redirects to /login?ssoError=sso_provider_unavailable.',
          tags,
          security: publicRoute,
          response: redirectResponses('To the provider, or back to the sign-in page with ssoError'),
        },
      },
      async (request, reply) => {
        if (!relyingParty) throw ssoNotConfigured();
        try {
          const { url, state, login } = await relyingParty.startLogin();
          await storeOidcLogin(ctx.db, state, login, ctx.now());
          setStateCookie(request, reply, state, OIDC_LOGIN_TTL_MS / 1000);
          return reply.redirect(url.href, 303);
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== 'sso_provider_unavailable') throw error;
          return reply.redirect(failurePage(error.code), 303);
        }
      },
    );

    limited.get(
      '/api/auth/oidc/callback',
      {
        config: { csrfExempt: true },
        schema: {
          operationId: 'finishSsoLogin',
          summary: "The provider's redirect back (ARKIV_PUBLIC_URL/api/auth/oidc/callback): checks it, signs the person in, redirects to the dashboard",
          description:
            'Checks state (against this browser\'s cookie; single use), the code with the PKCE verifier, the ID token and its nonce, and that email_verified is true. ' +
            'The account is the one of that email (created on a first sign-in); each organisation with an SSO group map gets the role the groups give. ' +
            'On success sets arkiv_session and redirects to /. A refusal redirects to /login?ssoError=<code>: sso_state_invalid, sso_failed, sso_email_unverified, sso_provider_unavailable. 404 sso_not_configured without ARKIV_OIDC_ISSUER.',
          tags,
          security: publicRoute,
          querystring: Type.Object({
            code: Type.Optional(Text({ maxLength: 2048 })),
            state: Type.Optional(Text({ maxLength: 512 })),
            iss: Type.Optional(Text({ maxLength: 2048 })),
            error: Type.Optional(Text({ maxLength: 256 })),
            error_description: Type.Optional(Text({ maxLength: 2048 })),
          }),
          response: redirectResponses('To the dashboard, signed in; or to the sign-in page with ssoError'),
        },
      },
      async (request, reply) => {
        if (!relyingParty) throw ssoNotConfigured();
        const expected = stateCookieOf(request);
        // Whatever happens, this browser's sign-in attempt is over.
        setStateCookie(request, reply, '', 0);
        try {
          const state = request.query.state;
          if (!state || !expected || !sameText(state, expected)) throw ssoStateInvalid();
          const login = await takeOidcLogin(ctx.db, state, ctx.now());
          if (!login) throw ssoStateInvalid();
          const callbackUrl = new URL(redirectUri());
          callbackUrl.search = new URL(request.url, 'http://callback.invalid').search;
          const identity = await relyingParty.finishLogin(callbackUrl, state, login);
          const { user, created } = await accountFor(ctx, identity);
          const changes = await applySsoRoles(ctx.db, user.id, identity.groups, ctx.now());
          for (const change of changes.filter((c) => c.outcome === 'kept_last_owner')) {
            request.log.warn({ orgId: change.orgId, userId: user.id, mappedRole: change.role }, 'SSO groups would demote the last owner of an organisation; kept as owner');
          }
          await startSession(ctx, request, reply, user, 'oidc');
          request.log.info({ userId: user.id, userCreated: created, membershipChanges: changes }, 'user logged in with SSO');
          return reply.redirect('/', 303);
        } catch (error) {
          // Refusals go back to the sign-in page; anything else (the database down) answers as errors do.
          if (!(error instanceof AppError) || error.status >= 500 && error.code !== 'sso_provider_unavailable') throw error;
          request.log.info({ code: error.code }, 'single sign-on refused');
          return reply.redirect(failurePage(error.code), 303);
        }
      },
    );
  });
};
