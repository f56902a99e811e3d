import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { can, initiatorOf } from '../../accounts/principal.js';
import { requirePermission } from '../../http/auth.js';
import { AppError, notFound, unauthorized } from '../../http/errors.js';
import type { RoutePlugin } from '../../http/route-plugin.js';
import { problemResponses } from '../../http/problem-schemas.js';
import { checkWebhookUrl, createGuardedDispatcher } from '../../webhooks/target-guard.js';
import { findConnection } from '../connections/connection-store.js';
import { importSonarAnalysis } from './import-analysis.js';
import { SonarApi } from './sonar-api.js';
import { sonarProblem } from './sonar-errors.js';
import { signedIn } from '../../http/openapi-security.js';
import { Text } from '../../http/text-input.js';

const Target = {
  projectKey: Text({ minLength: 1, maxLength: 400, description: 'SonarQube project key' }),
  branch: Type.Optional(Text({ minLength: 1, maxLength: 255, description: 'Default: the main branch' })),
  version: Type.Optional(Text({ minLength: 1, maxLength: 200, description: "Default: the analysis's projectVersion" })),
};
const ImportResponse = Type.Object({
  reports: Type.Array(Type.Ref('ReportListItem'), { description: 'CWE Top 25 (2024) and OWASP Top 10 (2021)' }),
  sonarqubePdf: Type.Boolean({ description: "Whether the PDFs are SonarQube's own security report (Enterprise)" }),
  unread: Type.Array(Type.String(), { description: 'Findings SonarQube counted but could not serve (past its 10 000-result window); empty when the import is whole' }),
});
const responses = { 200: ImportResponse, 201: ImportResponse, 404: Type.Ref('Problem'), 422: Type.Ref('Problem'), 502: Type.Ref('Problem'), ...problemResponses };

/**
 * Imports a SonarQube analysis now and answers with the two stored reports.
 * - Admins, through a stored connection: private networks are allowed (SonarQube often lives
 *   there), link-local and metadata addresses are not (ADMIN_TARGETS).
 * - `arkiv sonarqube import` (upload tokens), with the SonarQube URL and token in the request:
 *   the URL is the caller's choice, so unless the caller is an administrator it must pass the
 *   webhook target guard like any other user-supplied outbound URL.
 */
export const sonarImportRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const security = signedIn;

  app.post(
    '/api/orgs/:orgId/integrations/sonarqube/:id/import',
    {
      schema: {
        operationId: 'importFromSonarQubeConnection',
        summary: 'Import a SonarQube analysis through a stored connection',
        tags: ['integrations'], security,
        params: Type.Object({ orgId: Type.String({ format: 'uuid' }), id: Type.String({ format: 'uuid' }) }),
        body: Type.Object(Target, { additionalProperties: false }),
        response: responses,
      },
    },
    async (request, reply) => {
      const { orgId, id } = request.params;
      const principal = requirePermission(request, orgId, 'org:admin');
      const connection = await findConnection(ctx.db, ctx.secrets, id, { orgId, kind: 'sonarqube' });
      if (!connection || !connection.serverUrl || !connection.token) throw notFound('SonarQube connection');
      const { projectKey } = request.body;
      const mapped = Object.keys(connection.projects).length > 0;
      // Own keys only: `in` would let "constructor" or "toString" through the allow-list.
      if (mapped && !Object.hasOwn(connection.projects, projectKey)) throw unknownProject(projectKey);
      const dispatcher = createGuardedDispatcher(ADMIN_TARGETS);
      try {
        const api = new SonarApi({ baseUrl: connection.serverUrl, token: connection.token, dispatcher, maxBytes: ctx.config.maxUploadBytes });
        const result = await importSonarAnalysis(ctx, {
          api, orgId, initiator: initiatorOf(principal), request: { ...request.body, projectName: connection.projects[projectKey] },
        }).catch((error: unknown) => Promise.reject(sonarProblem(error, projectKey)));
        return reply.status(result.created.some(Boolean) ? 201 : 200).send(result);
      } finally {
        await dispatcher.close();
      }
    },
  );

  app.post(
    '/security/report/sonarqube',
    {
      schema: {
        operationId: 'importFromSonarQube',
        summary: 'Import a SonarQube analysis (arkiv sonarqube import)',
        description: 'The organisation comes from the token. Non-admin callers may only name public SonarQube URLs (webhook target guard).',
        tags: ['reports', 'integrations'], security,
        querystring: Type.Object({ org: Type.Optional(Type.String({ format: 'uuid' })) }),
        body: Type.Object(
          {
            sonarUrl: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
            sonarToken: Text({ minLength: 1, maxLength: 1000 }),
            projectName: Type.Optional(Text({ minLength: 1, maxLength: 200, description: "Default: SonarQube's project name" })),
            ...Target,
          },
          { additionalProperties: false },
        ),
        response: responses,
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw unauthorized();
      const orgId = principal.kind === 'token' ? principal.orgId : request.query.org ?? '';
      requirePermission(request, orgId, 'reports:write');
      const { sonarUrl, sonarToken, ...target } = request.body;
      const policy = can(principal, orgId, 'org:admin') ? ADMIN_TARGETS : { allowPrivate: ctx.config.webhookAllowPrivate };
      await checkWebhookUrl(sonarUrl, policy);
      const dispatcher = createGuardedDispatcher(policy);
      try {
        const api = new SonarApi({ baseUrl: sonarUrl, token: sonarToken, dispatcher, maxBytes: ctx.config.maxUploadBytes });
        const result = await importSonarAnalysis(ctx, { api, orgId, initiator: initiatorOf(principal), request: target })
          .catch((error: unknown) => Promise.reject(sonarProblem(error, target.projectKey)));
        return reply.status(result.created.some(Boolean) ? 201 : 200).send(result);
      } finally {
        await dispatcher.close();
      }
    },
  );
};

/**
 * What an administrator's SonarQube URL may reach: private and loopback addresses (by design), but
 * never link-local (169.254.169.254 cloud metadata) or non-unicast ranges, even in a multi-tenant install.
 */
export const ADMIN_TARGETS = { allowPrivate: true } as const;

export const unknownProject = (projectKey: string) =>
  new AppError(422, 'unknown_project', `SonarQube project "${projectKey}" is not in this connection's project list`);
