import type { RoutePlugin } from './route-plugin.js';
import { healthRoutes } from './health-routes.js';
import { reportReadRoutes } from '../reports/read-routes.js';
import { reportWriteRoutes } from '../reports/write-routes.js';
import { reportFileDownloadRoutes } from '../reports/file-download-route.js';
import { orgRoutes } from '../orgs/org-routes.js';
import { tokenRoutes } from '../accounts/token-routes.js';
import { webhooksRoutes } from '../webhooks/routes.js';
import { accountRoutes } from '../accounts/routes.js';
import { webRoutes } from './web-routes.js';
import { integrationRoutes } from '../ingest/routes.js';
import { signingRoutes } from '../signing/routes.js';
import { shareRoutes } from '../shares/routes.js';
import { findingsRoutes } from '../findings/findings-routes.js';
import { auditRoutes } from '../audit/audit-routes.js';

/** Every feature's routes. A feature adds one line here. */
export const routePlugins: RoutePlugin[] = [healthRoutes, reportReadRoutes, reportWriteRoutes, reportFileDownloadRoutes, orgRoutes, tokenRoutes, accountRoutes, webRoutes, webhooksRoutes, integrationRoutes, signingRoutes, shareRoutes, findingsRoutes, auditRoutes];
