import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePermission } from '../http/auth.js';
import { AppError, invalidParameter, notFound } from '../http/errors.js';
import { signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { findReportsWithFiles } from '../reports/report-store.js';
import { CreatedShareSchema, CreateShareSchema, ShareParams, ShareSchema } from './share-schemas.js';
import { createShare, isForeignKeyViolation, listShares, revokeShare, type Share } from './shares.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const OrgParams = Type.Object({ orgId: Type.String({ format: 'uuid' }) });
const iso = (ms: number) => new Date(ms).toISOString();

function shareView(share: Share, now: number) {
  return {
    id: share.id,
    note: share.note,
    reports: share.reportIds,
    status: share.revokedAt !== null ? ('revoked' as const) : now >= share.expiresAt ? ('expired' as const) : ('active' as const),
    createdAt: iso(share.createdAt),
    createdBy: share.createdBy,
    expiresAt: iso(share.expiresAt),
    revokedAt: share.revokedAt === null ? null : iso(share.revokedAt),
    accessCount: share.accessCount,
    downloadCount: share.downloadCount,
    lastAccessAt: share.lastAccessAt === null ? null : iso(share.lastAccessAt),
  };
}

const unknownReports = (missing: string[]) =>
  new AppError(400, 'unknown_report', missing.length === 0 ? 'A report was deleted while the share was being created' : `${missing.length} of the reports ${missing.length === 1 ? 'is' : 'are'} not in this organisation`, {
    details: { reports: missing },
  });

/** A link must end in the future and no later than the configured maximum. */
function checkExpiry(expiresAt: string, now: number, maxDays: number): number {
  const ms = Date.parse(expiresAt);
  if (Number.isNaN(ms)) throw invalidParameter('expiresAt must be an ISO 8601 date-time');
  if (ms <= now) throw new AppError(400, 'invalid_expiry', 'expiresAt must be in the future');
  if (ms > now + maxDays * DAY_MS) throw new AppError(400, 'invalid_expiry', `expiresAt may be at most ${maxDays} days ahead`);
  return ms;
}

/**
 * /api/orgs/{orgId}/shares: administrators share exactly the reports an auditor or customer needs
 * through a link that expires and can be revoked. Sharing discloses reports outside the
 * organisation, so it takes org:admin (as adding a member does), not reports:write: an uploading
 * CI token or a member cannot hand reports out.
 */
export const shareAdminRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['shares'];

  app.post(
    '/api/orgs/:orgId/shares',
    {
      schema: {
        operationId: 'createShare',
        summary: 'Share reports through a link that works without signing in until it expires or is revoked',
        description:
          '400 unknown_report when a report is not one of this organisation (details.reports lists them); 400 invalid_expiry when expiresAt is past ' +
          'or further ahead than ARKIV_SHARE_MAX_DAYS. The link is in this response only.',
        tags,
        security: signedIn,
        params: OrgParams,
        body: CreateShareSchema,
        response: { 201: CreatedShareSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const principal = requirePermission(request, orgId, 'org:admin');
      const now = ctx.now();
      const ids = [...new Set(request.body.reports.map((id) => id.toLowerCase()))];
      if (ids.length > ctx.config.maxArchiveReports) throw invalidParameter(`reports may name at most ${ctx.config.maxArchiveReports} reports`);
      const expiresAt = checkExpiry(request.body.expiresAt, now, ctx.config.shareMaxDays);
      const found = new Set((await findReportsWithFiles(ctx.db, orgId, ids)).map((r) => r.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length > 0) throw unknownReports(missing);
      const createdBy = { userId: principal.kind === 'user' ? principal.id : null, tokenId: principal.kind === 'token' ? principal.id : null };
      let created: { id: string; token: string };
      try {
        created = await createShare(ctx.db, { orgId, reportIds: ids, note: request.body.note ?? '', expiresAt, createdBy, now });
      } catch (error) {
        // A report deleted between the check above and the insert: its foreign key refuses the share.
        if (isForeignKeyViolation(error)) throw unknownReports([]);
        throw error;
      }
      const { id, token } = created;
      request.log.info({ orgId, shareId: id, reports: ids.length, expiresAt: iso(expiresAt) }, 'share created');
      return reply.status(201).send({ id, url: `${ctx.config.publicUrl}/share/${token}`, expiresAt: iso(expiresAt) });
    },
  );

  app.get(
    '/api/orgs/:orgId/shares',
    {
      schema: {
        operationId: 'listShares',
        summary: 'Share links of the organisation, newest first, with their access counts (revoked and expired ones included)',
        tags,
        security: signedIn,
        params: OrgParams,
        response: { 200: Type.Object({ shares: Type.Array(refTo(ShareSchema)) }), ...problemResponses },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const now = ctx.now();
      return { shares: (await listShares(ctx.db, request.params.orgId)).map((share) => shareView(share, now)) };
    },
  );

  app.delete(
    '/api/orgs/:orgId/shares/:shareId',
    {
      schema: {
        operationId: 'revokeShare',
        summary: 'Revoke a share link: it answers 410 share_revoked from now on (revoking twice is harmless)',
        tags,
        security: signedIn,
        params: ShareParams,
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, shareId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      if (!(await revokeShare(ctx.db, orgId, shareId.toLowerCase(), ctx.now()))) throw notFound('Share');
      request.log.info({ orgId, shareId }, 'share revoked');
      return reply.status(204).send(null);
    },
  );
};
