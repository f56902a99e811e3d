import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import { invalidParameter, invalidRange, invalidVersion, missingVersionFilter, notFound } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { ReadAccessCache } from '../orgs/read-access-cache.js';
import { ListResponseCache } from './list-cache.js';
import { unpaginatedList } from './list-stream.js';
import { pipeline, Transform, type Readable } from 'node:stream';
import { clientAddressKey } from '../http/client-address.js';
import { sarifSourceOf, sendReportArchive } from './archive-response.js';
import { safeName } from './archive.js';
import { sarifExportStream } from '../findings/sarif-export.js';
import { listReports } from './list-query.js';
import { findReportsWithFiles } from './report-store.js';
import {
  FilesQuerySchema,
  ListQuerySchema,
  ListResponseSchema,
  type ListQuery,
} from './report-schemas.js';
import { parseVersion } from './versions.js';
import { readAccess } from '../http/openapi-security.js';
import { requestSource } from '../audit/audit-log.js';
import { recordDownload } from '../audit/download-audit.js';

function versionKey(parameter: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseVersion(value);
  if (!parsed) throw invalidVersion(parameter, value);
  return parsed.key;
}

export function parseListFilter(query: ListQuery) {
  if (query.version === undefined && query.minver === undefined && query.maxver === undefined) throw missingVersionFilter();
  const exactKey = versionKey('version', query.version);
  const minKey = versionKey('minver', query.minver);
  const maxKey = versionKey('maxver', query.maxver);
  if (minKey !== undefined && maxKey !== undefined && minKey > maxKey) throw invalidRange(query.minver!, query.maxver!);
  const uploadedSinceMs = query.uploadedSince === undefined ? undefined : Date.parse(query.uploadedSince);
  if (uploadedSinceMs !== undefined && Number.isNaN(uploadedSinceMs)) throw invalidParameter('uploadedSince must be an ISO 8601 date-time');
  return {
    // UUIDs are case-insensitive and Arkiv stores them lowercase: "ABC…" must find the same reports.
    orgId: query.org.toLowerCase(),
    exactKey,
    minKey,
    maxKey,
    projectName: query.projectName,
    reportType: query.reportType,
    uploadedSinceMs,
    limit: query.limit,
    cursor: query.cursor,
  };
}

/**
 * The read API needs no credentials, as seed 000 says, unless the organisation opted in to
 * requiring a read token; a token never narrows what anonymous callers may read. An unknown organisation looks like an empty one: the API does not
 * reveal which organisation IDs exist.
 */
async function authorizeRead(cache: ReadAccessCache, request: FastifyRequest, orgId: string): Promise<number> {
  const access = await cache.get(orgId);
  if (access?.requireReadToken) requirePermission(request, orgId, 'reports:read');
  return access?.reportsRevision ?? -1;
}

/** GET /security/report/list and /security/report/files: the seed-000 read contract. */
export const reportReadRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const listCache = new ListResponseCache();
  const readAccessCache = new ReadAccessCache(ctx.db, ctx.database.changes);
  if (ctx.config.readRateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: ctx.config.readRateLimitPerMinute,
      timeWindow: 60_000,
      // Authenticated callers are accountable through their token; the limit guards anonymous reads.
      allowList: (request) => request.principal !== null,
      keyGenerator: (request) => clientAddressKey(request.ip),
    });
  }

  app.get(
    '/security/report/list',
    {
      schema: {
        operationId: 'listReports',
        summary: 'List reports by exact version or version range',
        tags: ['reports'],
        security: readAccess,
        querystring: ListQuerySchema,
        response: { 200: ListResponseSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const orgId = request.query.org.toLowerCase();
      // The revision is read before the reports: a body cached under it is never older than it.
      const access = await readAccessCache.get(orgId);
      // Keyed by the URL as sent: a hit skips parsing the filter, which succeeded for this URL
      // when the body was stored (a URL that fails to parse is never stored).
      const key = `${access?.reportsRevision ?? -1} ${request.url}`;
      let body: string | Readable | undefined = listCache.get(key);
      const filter = body === undefined ? parseListFilter(request.query) : undefined;
      if (access?.requireReadToken) requirePermission(request, orgId, 'reports:read');
      if (filter !== undefined) {
        if (filter.limit === undefined) {
          body = await unpaginatedList(ctx.db, filter);
        } else {
          const { reports, nextCursor } = await listReports(ctx.db, filter);
          body = JSON.stringify({ organizationId: filter.orgId, reports, nextCursor });
        }
        if (typeof body === 'string') listCache.set(key, body);
      }
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  app.get(
    '/security/report/files',
    {
      schema: {
        operationId: 'downloadReports',
        summary: 'Download reports (HTML, PDF and findings.sarif) as one streamed ZIP with manifest.json and its Ed25519 signature manifest.json.sig',
        tags: ['reports'],
        security: readAccess,
        querystring: FilesQuerySchema,
        response: {
          200: Type.String({ description: 'application/zip', contentMediaType: 'application/zip' }),
          204: Type.Null({ description: 'A requested report does not exist in this organisation' }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const org = request.query.org.toLowerCase();
      const requested = request.query.reports;
      const ids = [...new Set(requested.map((id) => id.toLowerCase()))];
      if (ids.length > ctx.config.maxArchiveReports) {
        throw invalidParameter(`reports may name at most ${ctx.config.maxArchiveReports} reports`);
      }
      await authorizeRead(readAccessCache, request, org);
      const reports = await findReportsWithFiles(ctx.db, org, ids);
      if (reports.length !== ids.length) return reply.status(204).send(null);
      return sendReportArchive(ctx, request, reply, { organizationId: org, reports, source: requestSource(request) });
    },
  );

  app.get(
    '/security/report/:id/sarif',
    {
      schema: {
        operationId: 'getReportSarif',
        summary: "A report's findings as SARIF 2.1.0",
        description: 'Uploaded SARIF results keep their partialFingerprints; other findings carry Arkiv\'s fingerprint as partialFingerprints["arkiv/v1"]. A report without findings gives a log with no results.',
        tags: ['findings'],
        security: readAccess,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object({ org: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.String({ description: 'application/sarif+json', contentMediaType: 'application/sarif+json' }),
          404: Type.Ref('Problem'),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const org = request.query.org.toLowerCase();
      await authorizeRead(readAccessCache, request, org);
      const [report] = await findReportsWithFiles(ctx.db, org, [request.params.id.toLowerCase()]);
      if (!report) throw notFound('Report');
      const name = `${safeName(`${report.projectName}_${report.projectVersion}_${report.reportType}_${report.reportVersion}`, 150)}.sarif`;
      reply.header('content-type', 'application/sarif+json');
      reply.header('content-disposition', `attachment; filename="${name.replace(/"/g, '')}"`);
      reply.header('cache-control', 'no-store');
      // Generated as it streams (no Content-Length): the entry counts what was handed to the response.
      let sent = 0;
      const counted = new Transform({ transform: (chunk: Buffer, _encoding, done) => ((sent += chunk.length), done(null, chunk)) });
      const sarif = await sarifExportStream(ctx.db, sarifSourceOf(report));
      recordDownload(ctx, reply.raw, { orgId: org, ...requestSource(request), reportIds: [report.id], format: 'sarif', size: null, sentBytes: () => sent });
      return reply.send(pipeline(sarif, counted, () => {}));
    },
  );
};

