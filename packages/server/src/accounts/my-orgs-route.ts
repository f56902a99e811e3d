import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { unauthorized } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { listOrganizations } from '../orgs/org-store.js';
import { problemResponses } from '../http/problem-schemas.js';
import { OrgListSchema } from './account-schemas.js';
import { membershipsOf } from './memberships.js';
import { signedIn } from '../http/openapi-security.js';

/** GET /api/orgs: the organisations the caller belongs to (a token: its own), with the caller's role. */
export const myOrgsRoute: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/orgs',
    { schema: { operationId: 'listMyOrganizations', summary: 'Organisations of the caller', tags: ['organisations'], security: signedIn, response: { 200: OrgListSchema, ...problemResponses } } },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw unauthorized();
      if (principal.kind === 'token') {
        const orgs = await listOrganizations(ctx.db, [principal.orgId]);
        return { organizations: orgs.map((o) => ({ id: o.id, name: o.name, role: null, scopes: [...principal.scopes] })) };
      }
      const memberships = await membershipsOf(ctx.db, principal.id);
      return { organizations: memberships.map((m) => ({ id: m.orgId, name: m.orgName, role: m.role })) };
    },
  );
};
