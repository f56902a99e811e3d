import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { requestSource, withAudit } from '../audit/audit-log.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { SCOPES } from './principal.js';
import { createApiToken, listApiTokens, revokeApiToken } from './tokens.js';
import { signedIn } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';
import { Text } from '../http/text-input.js';

const ScopeSchema = Type.Union(SCOPES.map((s) => Type.Literal(s)));
export const TokenSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  scopes: Type.Array(ScopeSchema),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
}, { $id: 'ApiToken' });
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });

/** /api/orgs/{orgId}/tokens: create (the token is shown once), list, revoke. Administrators only. */
export const tokenRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const security = signedIn;

  app.get(
    '/api/orgs/:orgId/tokens',
    { schema: { operationId: 'listTokens', summary: 'List API tokens', tags: ['tokens'], security, params: OrgParams, response: { 200: Type.Object({ tokens: Type.Array(refTo(TokenSchema)) }), ...problemResponses } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return { tokens: await listApiTokens(ctx.db, request.params.orgId) };
    },
  );

  app.post(
    '/api/orgs/:orgId/tokens',
    {
      schema: {
        operationId: 'createToken',
        summary: 'Create an API token (the token is in this response only)',
        tags: ['tokens'],
        security,
        params: OrgParams,
        body: Type.Object({ name: Text({ minLength: 1, maxLength: 200 }), scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.String(), token: Type.String(), name: Type.String(), scopes: Type.Array(ScopeSchema) }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = requirePermission(request, request.params.orgId, 'org:admin');
      const { id, token } = await withAudit(
        ctx.db,
        (trx) =>
          createApiToken(trx, {
            orgId: request.params.orgId,
            name: request.body.name,
            scopes: request.body.scopes,
            createdBy: principal.kind === 'user' ? principal.id : null,
            now: ctx.now(),
          }),
        (created) => ({ orgId: request.params.orgId, action: 'token.create', ...requestSource(request), details: { tokenId: created.id, name: request.body.name, scopes: request.body.scopes }, at: ctx.now() }),
      );
      return reply.status(201).send({ id, token, name: request.body.name, scopes: request.body.scopes });
    },
  );

  app.delete(
    '/api/orgs/:orgId/tokens/:tokenId',
    {
      schema: {
        operationId: 'revokeToken',
        summary: 'Revoke an API token',
        tags: ['tokens'],
        security,
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }), tokenId: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const { orgId, tokenId } = request.params;
      const revoked = await withAudit(
        ctx.db,
        (trx) => revokeApiToken(trx, orgId, tokenId, ctx.now()),
        (found) => found && { orgId, action: 'token.revoke', ...requestSource(request), details: { tokenId }, at: ctx.now() },
      );
      if (!revoked) throw notFound('Token');
      return reply.status(204).send(null);
    },
  );
};
