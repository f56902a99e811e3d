import crypto from 'node:crypto';
import { Transform } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { safeName } from './archive.js';
import { findReportsWithFiles } from './report-store.js';
import { problemResponses } from '../http/problem-schemas.js';
import { signedIn } from '../http/openapi-security.js';
import { requestSource } from '../audit/audit-log.js';
import { recordDownload } from '../audit/download-audit.js';

/**
 * GET /api/orgs/{orgId}/reports/{id}/files/{kind}: one report file for members of the organisation.
 * Uploaded HTML is untrusted: it is only ever served as an attachment, sandboxed by CSP and with
 * sniffing disabled, so it can never run as a page of Arkiv's own origin.
 */
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
      const file = report?.files.find((f) => f.kind === kind);
      if (!report || !file) throw notFound('Report file');
      const name = `${safeName(`${report.projectName}_${report.projectVersion}_${report.reportType}_${report.reportVersion}`, 150)}.${kind}`;
      const hash = crypto.createHash('sha256');
      const verify = new Transform({
        transform(chunk: Buffer, _e, done) {
          hash.update(chunk);
          done(null, chunk);
        },
        flush(done) {
          const actual = hash.digest('hex');
          done(actual === file.sha256 ? null : new Error(`blob ${file.blobKey} does not match its SHA-256`));
        },
      });
      const source = ctx.blobs.read(file.blobKey);
      source.on('error', (error) => verify.destroy(error));
      reply.header('content-type', kind === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${name.replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
      reply.header('content-security-policy', "sandbox; default-src 'none'");
      reply.header('content-length', String(file.size));
      reply.header('cache-control', 'private, no-store');
      recordDownload(ctx, reply.raw, { orgId, ...requestSource(request), reportIds: [report.id], format: kind, size: file.size });
      return reply.send(source.pipe(verify));
    },
  );
};
