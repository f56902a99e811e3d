import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { initiatorOf } from '../accounts/principal.js';
import { requestSource } from '../audit/audit-log.js';
import { requirePermission } from '../http/auth.js';
import { notFound, unauthorized } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { deleteReport, storeReports } from './report-store.js';
import { problemResponses } from '../http/problem-schemas.js';
import { publishStagedFiles, readReportUpload } from './upload.js';
import { STAGING_BUFFER_BYTES } from '../blobs/staging.js';
import { signedIn } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';

export const StoredReportSchema = Type.Object({
  organizationId: Type.String({ format: 'uuid' }),
  projectName: Type.String(),
  id: Type.String({ format: 'uuid' }),
  reportType: Type.String(),
  reportVersion: Type.Integer(),
  projectVersion: Type.String(),
  date: Type.String(),
  uploadDate: Type.String(),
  vulnerabilitiesCount: Type.Integer(),
  securityRating: Type.String(),
  files: Type.Array(
    Type.Object({ kind: Type.String(), fileName: Type.String(), mediaType: Type.String(), size: Type.Integer(), sha256: Type.String() }),
  ),
}, { $id: 'StoredReport' });

/** POST /security/report (upload or replace) and DELETE /security/report/:id; tokens only. */
export const reportWriteRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(multipart, {
    // The parser and each file stream buffer up to this much (Node's default is 16 KiB), so a
    // large file moves in large batches instead of pausing the socket every 64 KiB chunk.
    highWaterMark: STAGING_BUFFER_BYTES,
    fileHwm: STAGING_BUFFER_BYTES,
    limits: { fileSize: ctx.config.maxUploadBytes, files: 3, fields: 20, fieldSize: 4096, parts: 24 },
  });

  app.post(
    '/security/report',
    {
      config: { uploadLimit: ctx.config.maxUploadBytes },
      schema: {
        operationId: 'uploadReport',
        summary: 'Upload a report (multipart: metadata fields, the files html and pdf, and optionally sarif)',
        description: 'The organisation comes from the token. Uploading an existing identity replaces it (its findings too) and keeps its id. An optional `sarif` file (SARIF 2.1.0) gives the report its findings; sent alone, without html and pdf, Arkiv renders both (reportType "CWE Top 25" by default, or "OWASP Top 10") and computes vulnerabilitiesCount and securityRating.',
        tags: ['reports'],
        security: signedIn,
        consumes: ['multipart/form-data'],
        response: { 200: refTo(StoredReportSchema), 201: refTo(StoredReportSchema), 413: Type.Ref('Problem'), 415: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw unauthorized();
      // A token knows its organisation; a user session names it in the query.
      const orgId = principal.kind === 'token' ? principal.orgId : String((request.query as { org?: string }).org ?? '');
      requirePermission(request, orgId, 'reports:write');
      const upload = await readReportUpload(ctx, request);
      let stored;
      try {
        const files = await publishStagedFiles(ctx, upload.files);
        // The staged findings are read a page at a time inside the report's transaction: it holds
        // no more of them in memory than a page, and waits on the local disk only, not the client.
        [stored] = await storeReports(ctx.db, ctx.reportHooks, {
          orgId,
          reports: [{ metadata: upload.metadata, files, ...(upload.findings ? { findings: upload.findings } : {}) }],
          initiator: initiatorOf(principal),
          now: ctx.now(),
          source: requestSource(request),
        });
      } finally {
        await upload.findings?.close();
      }
      const { report, created } = stored!;
      return reply.status(created ? 201 : 200).send({ ...report, files: report.files.map(({ blobKey: _b, ...f }) => f) });
    },
  );

  app.delete(
    '/security/report/:id',
    {
      schema: {
        operationId: 'deleteReport',
        summary: 'Delete a report (admin scope)',
        tags: ['reports'],
        security: signedIn,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ org: Type.Optional(Type.String({ format: 'uuid' })) }),
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw unauthorized();
      const orgId = principal.kind === 'token' ? principal.orgId : request.query.org ?? '';
      requirePermission(request, orgId, 'reports:delete');
      const deleted = await deleteReport(ctx.db, ctx.reportHooks, { orgId, reportId: request.params.id, initiator: initiatorOf(principal), now: ctx.now(), source: requestSource(request) });
      if (!deleted) throw notFound('Report');
      return reply.status(204).send(null);
    },
  );
};
