import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can, type Permission, type Principal } from '../accounts/principal.js';
import { authenticateToken } from '../accounts/tokens.js';
import type { AppContext } from '../context.js';
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
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = match ? await authenticateToken(ctx.db, match[1]!, ctx.now()) : null;
      if (!principal) throw unauthorized('The bearer token is invalid or revoked');
      request.principal = principal;
      return;
    }
    for (const authenticate of ctx.authenticators) {
      const principal = await authenticate(request);
      if (principal) {
        request.principal = principal;
        return;
      }
    }
  });
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
