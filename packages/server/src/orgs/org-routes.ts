import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { findOrganization, updateOrganization } from './org-store.js';
import { requestSource, withAudit } from '../audit/audit-log.js';
import { signedIn } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';
import { Text } from '../http/text-input.js';

export const OrganizationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  requireReadToken: Type.Boolean(),
  createdAt: Type.String(),
}, { $id: 'Organization' });

const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });

/** GET/PATCH /api/orgs/{orgId}: an organisation's settings, for its administrators. */
export const orgRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const security = signedIn;

  app.get(
    '/api/orgs/:orgId',
    { schema: { operationId: 'getOrganization', summary: 'Show an organisation', tags: ['organisations'], security, params: OrgParams, response: { 200: refTo(OrganizationSchema), 404: Type.Ref('Problem'), ...problemResponses } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const org = await findOrganization(ctx.db, request.params.orgId);
      if (!org) throw notFound('Organisation');
      return org;
    },
  );

  app.patch(
    '/api/orgs/:orgId',
    {
      schema: {
        operationId: 'updateOrganization',
        summary: 'Rename an organisation or require a token for reads',
        tags: ['organisations'],
        security,
        params: OrgParams,
        body: Type.Object(
          { name: Type.Optional(Text({ minLength: 1, maxLength: 200 })), requireReadToken: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: refTo(OrganizationSchema), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const orgId = request.params.orgId;
      const changed = Object.keys(request.body).sort();
      const org = await withAudit(
        ctx.db,
        (trx) => updateOrganization(trx, orgId, request.body),
        (updated) => updated !== undefined && changed.length > 0 && { orgId, action: 'org.update', ...requestSource(request), details: { changed, ...request.body }, at: ctx.now() },
      );
      if (!org) throw notFound('Organisation');
      return org;
    },
  );
};
