import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, type Permission, type Principal } from '../accounts/principal.js';
import { authenticateToken } from '../accounts/tokens.js';
import type { AppContext, Authenticator } from '../context.js';
import { forbidden, mfaEnrolmentRequired, unauthorized } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request: null when anonymous. Resolved once, before any handler. */
    principal: Principal | null;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

const routesByApp = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/**
 * Every route registered on the app, as Fastify saw it. The authorization-matrix test walks this
 * list, so a route that anyone adds is checked for its access rule without being named first.
 */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesByApp.get(app) ?? [];
}

/**
 * Resolves the caller once per request: a bearer token if present (a bad one is a 401, never a
 * silent downgrade to anonymous), otherwise the registered authenticators (sessions).
 */
export function installAuthentication(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null);
  const routes: RegisteredRoute[] = [];
  routesByApp.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // A callback hook that stays synchronous for an anonymous request (no header, no authenticator
  // with anything to check): no promise per request on the public read path.
  app.addHook('onRequest', (request, _reply, done) => {
    let pending: Promise<void> | undefined;
    try {
      pending = resolvePrincipal(request, ctx);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (pending) pending.then(() => done(), done);
    else done();
  });
}

/** Sets request.principal; returns a promise only when something had to be looked up. */
function resolvePrincipal(request: FastifyRequest, ctx: AppContext): Promise<void> | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized('The bearer token is invalid or revoked');
    return authenticateToken(ctx.db, match[1]!, ctx.now()).then((principal) => {
      if (!principal) throw unauthorized('The bearer token is invalid or revoked');
      request.principal = principal;
    });
  }
  return tryAuthenticators(request, ctx.authenticators, 0);
}

function tryAuthenticators(request: FastifyRequest, authenticators: readonly Authenticator[], from: number): Promise<void> | undefined {
  for (let i = from; i < authenticators.length; i++) {
    const principal = authenticators[i]!(request);
    if (principal instanceof Promise) {
      return principal.then((found) => {
        if (found) request.principal = found;
        else return tryAuthenticators(request, authenticators, i + 1);
      });
    }
    if (principal) {
      request.principal = principal;
      return undefined;
    }
  }
  return undefined;
}

/** Throws 401 for an anonymous caller and 403 for one without the permission in that organisation (mfa_enrolment_required when only a second factor is missing). */
export function requirePermission(request: FastifyRequest, orgId: string, permission: Permission): Principal {
  const principal = request.principal;
  if (!principal) throw unauthorized();
  if (!can(principal, orgId, permission)) {
    // The member's role there is withheld until they have a second factor: say so, so they can enrol.
    if (principal.kind === 'user' && principal.mfaEnrolmentRequired?.has(orgId)) throw mfaEnrolmentRequired();
    throw forbidden();
  }
  return principal;
}
