import type { RoutePlugin } from '../http/route-plugin.js';
import { deliveryRoutes } from './delivery-routes.js';
import { webhookRoutes } from './webhook-routes.js';

/** Every webhook route; registered with one line in http/routes.ts. */
export const webhooksRoutes: RoutePlugin = async (app, options) => {
  await webhookRoutes(app, options);
  await deliveryRoutes(app, options);
};
