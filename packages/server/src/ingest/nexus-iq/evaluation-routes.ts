import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../../http/auth.js';
import type { RoutePlugin } from '../../http/route-plugin.js';
import { problemResponses } from '../../http/problem-schemas.js';
import { listEvaluations } from './evaluations.js';
import { signedIn } from '../../http/openapi-security.js';
import { refTo } from '../../http/schema-ref.js';
import { Text } from '../../http/text-input.js';

export const EvaluationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  connectionId: Type.String({ format: 'uuid' }),
  policyEvaluationId: Type.String(),
  applicationId: Type.String(),
  applicationPublicId: Type.Union([Type.String(), Type.Null()]),
  applicationName: Type.Union([Type.String(), Type.Null()]),
  stage: Type.String({ examples: ['build', 'stage-release', 'release'] }),
  outcome: Type.String({ examples: ['fail', 'warn', 'pass'] }),
  evaluationDate: Type.String(),
  affectedComponentCount: Type.Integer(),
  criticalComponentCount: Type.Integer(),
  severeComponentCount: Type.Integer(),
  moderateComponentCount: Type.Integer(),
  receivedAt: Type.String(),
}, { $id: 'NexusIqEvaluation' });

/** GET /api/orgs/{orgId}/integrations/nexus-iq/evaluations: newest first; readable by anyone who may read reports. */
export const evaluationRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/orgs/:orgId/integrations/nexus-iq/evaluations',
    {
      schema: {
        operationId: 'listNexusIqEvaluations',
        summary: 'List Nexus IQ application evaluations',
        tags: ['integrations'],
        security: signedIn,
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({
          application: Type.Optional(Text({ minLength: 1, description: 'Application id or public id' })),
          stage: Type.Optional(Text({ minLength: 1 })),
          outcome: Type.Optional(Text({ minLength: 1 })),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'Evaluated at or after' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Type.Object({ evaluations: Type.Array(refTo(EvaluationSchema)) }), ...problemResponses },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'reports:read');
      const { since, limit, ...filter } = request.query;
      return { evaluations: await listEvaluations(ctx.db, request.params.orgId, { ...filter, since: since ? Date.parse(since) : undefined, limit: limit ?? 100 }) };
    },
  );
};
