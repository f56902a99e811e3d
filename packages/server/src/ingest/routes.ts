import type { RoutePlugin } from '../http/route-plugin.js';
import { connectionRoutes } from './connections/connection-routes.js';
import { evaluationRoutes } from './nexus-iq/evaluation-routes.js';
import { nexusIqWebhookRoutes } from './nexus-iq/nexus-webhook.js';
import { sonarImportRoutes } from './sonarqube/import-routes.js';
import { sonarWebhookRoutes } from './sonarqube/sonar-webhook.js';

/**
 * Every integrations route. Each sub-plugin is its own Fastify scope: the inbound webhook
 * receivers replace the JSON parser with a raw-bytes one, which must not leak into the others.
 */
export const integrationRoutes: RoutePlugin = async (app, options) => {
  for (const routes of [connectionRoutes, evaluationRoutes, sonarImportRoutes, sonarWebhookRoutes, nexusIqWebhookRoutes]) {
    await app.register(routes, options);
  }
};
