import type { RoutePlugin } from '../http/route-plugin.js';
import { authRoutes } from './auth-routes.js';
import { invitationRoutes } from './invitation-routes.js';
import { memberRoutes } from './member-routes.js';
import { mfaRoutes } from './mfa-routes.js';
import { myOrgsRoute } from './my-orgs-route.js';
import { oidcRoutes } from './oidc-routes.js';
import { ssoRoutes } from './sso-routes.js';
import { passwordResetRoutes } from './password-reset-routes.js';
import { sessionRoutes } from './session-routes.js';

/** Every route of the accounts feature: /api/auth/…, GET /api/orgs, /api/orgs/{orgId}/members, invitations, sessions, the TOTP second factor, single sign-on. */
export const accountRoutes: RoutePlugin = async (app, options) => {
  await app.register(authRoutes, options);
  await app.register(passwordResetRoutes, options);
  await app.register(myOrgsRoute, options);
  await app.register(memberRoutes, options);
  await app.register(invitationRoutes, options);
  await app.register(sessionRoutes, options);
  await app.register(mfaRoutes, options);
  await app.register(oidcRoutes, options);
  await app.register(ssoRoutes, options);
};
