import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { sendReportFile } from './file-response.js';
import { findReportsWithFiles } from './report-store.js';
import { problemResponses } from '../http/problem-schemas.js';
import { signedIn } from '../http/openapi-security.js';
import { requestSource } from '../audit/audit-log.js';

/** GET /api/orgs/{orgId}/reports/{id}/files/{kind}: one report file for members of the organisation. */
export const reportFileDownloadRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/orgs/:orgId/reports/:reportId/files/:kind',
    {
      schema: {
        operationId: 'downloadReportFile',
        summary: 'Download one file of a report (always as an attachment)',
        tags: ['reports'],
        security: signedIn,
        params: Type.Object({
          orgId: Type.String({ format: 'uuid' }),
          reportId: Type.String({ format: 'uuid' }),
          kind: Type.Union([Type.Literal('html'), Type.Literal('pdf')]),
        }),
        response: { 200: Type.String({ description: 'The file' }), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, reportId, kind } = request.params;
      requirePermission(request, orgId, 'reports:read');
      const [report] = await findReportsWithFiles(ctx.db, orgId, [reportId.toLowerCase()]);
      return sendReportFile(ctx, reply, report, kind, requestSource(request));
    },
  );
};
