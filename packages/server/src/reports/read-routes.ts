import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { requirePermission } from '../http/auth.js';
import { invalidParameter, invalidRange, invalidVersion, missingVersionFilter } from '../http/errors.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { findReadAccess } from '../orgs/org-store.js';
import { ListResponseCache } from './list-cache.js';
import { unpaginatedList } from './list-stream.js';
import type { Readable } from 'node:stream';
import { clientAddressKey } from '../http/client-address.js';
import { createReportArchive } from './archive.js';
import { orgSigner } from '../signing/org-signer.js';
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
async function authorizeRead(ctx: AppContext, request: FastifyRequest, orgId: string): Promise<number> {
  const access = await findReadAccess(ctx.db, orgId);
  if (access?.requireReadToken) requirePermission(request, orgId, 'reports:read');
  return access?.reportsRevision ?? -1;
}

/** GET /security/report/list and /security/report/files: the seed-000 read contract. */
export const reportReadRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const listCache = new ListResponseCache();
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
      const filter = parseListFilter(request.query);
      // The revision is read before the reports: a body cached under it is never older than it.
      const revision = await authorizeRead(ctx, request, filter.orgId);
      const key = JSON.stringify([revision, filter]);
      let body: string | Readable | undefined = listCache.get(key);
      if (body === undefined) {
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
        summary: 'Download reports (HTML and PDF) as one streamed ZIP with manifest.json and its Ed25519 signature manifest.json.sig',
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
      await authorizeRead(ctx, request, org);
      const reports = await findReportsWithFiles(ctx.db, org, ids);
      if (reports.length !== ids.length) return reply.status(204).send(null);
      const now = new Date(ctx.now());
      const signer = await orgSigner(ctx, org);
      const archive = createReportArchive({ organizationId: org, reports, blobs: ctx.blobs, log: request.log, now, signer });
      const size = await archive.size;
      const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
      reply.header('content-type', 'application/zip');
      reply.header('content-disposition', `attachment; filename="arkiv-reports-${stamp}.zip"`);
      reply.header('cache-control', 'no-store');
      if (size >= 0) reply.header('content-length', String(size));
      recordDownload(ctx, reply.raw, { orgId: org, ...requestSource(request), reportIds: reports.map((r) => r.id), format: 'zip', size });
      return reply.send(archive.stream);
    },
  );
};
