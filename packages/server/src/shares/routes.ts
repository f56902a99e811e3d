import type { RoutePlugin } from '../http/route-plugin.js';
import { shareAdminRoutes } from './share-admin-routes.js';
import { sharePublicRoutes } from './share-public-routes.js';

/** Share links: administration under /api/orgs/{orgId}/shares, the public side under /api/shares/{token}. */
export const shareRoutes: RoutePlugin = async (app, options) => {
  await app.register(shareAdminRoutes, options);
  await app.register(sharePublicRoutes, options);
};
