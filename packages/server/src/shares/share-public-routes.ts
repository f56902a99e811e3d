import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { linkGone } from '../accounts/link-tokens.js';
import { clientAddressKey } from '../http/client-address.js';
import { notFound } from '../http/errors.js';
import { publicRoute } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { sendReportArchive } from '../reports/archive-response.js';
import { sendReportFile } from '../reports/file-response.js';
import type { DownloadSource } from '../audit/download-audit.js';
import { findReportsWithFiles } from '../reports/report-store.js';
import { SharedFileParams, SharedReportsSchema, ShareTokenParams } from './share-schemas.js';
import { findShareByToken, recordShareAccess, sharedReportIds, type SharedLink } from './shares.js';

/**
 * Who reads through a share link. Set on the request once the link checked out, so whatever
 * records accesses (an audit log) can name `{ kind: 'share', id }` the way it names a principal.
 */
export interface ShareActor {
  kind: 'share';
  id: string;
  orgId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the share routes for requests made through a valid share link; null otherwise. */
    shareActor: ShareActor | null;
  }
}

const gone = { 404: Type.Ref('Problem'), 410: Type.Ref('Problem') };

/** The share a link names while it works: 404 unknown, 410 revoked or expired. */
async function usableShare(ctx: AppContext, token: string): Promise<SharedLink> {
  const share = await findShareByToken(ctx.db, token);
  if (!share) throw notFound('Share link');
  if (share.revokedAt !== null) throw revoked();
  if (ctx.now() >= share.expiresAt) throw linkGone('share_expired', 'This share link has expired; ask its sender for a new one');
  return share;
}

const revoked = () => linkGone('share_revoked', 'This share link has been revoked; ask its sender for a new one');

/** Counts one access (only while the link is still valid, in one statement: a revoke that just landed wins) and names the share as the actor. */
async function countAccess(ctx: AppContext, request: FastifyRequest, share: SharedLink, download: boolean): Promise<void> {
  if (!(await recordShareAccess(ctx.db, share.id, { download, now: ctx.now() }))) throw revoked();
  request.shareActor = { kind: 'share', id: share.id, orgId: share.orgId };
  // The access log shows share paths redacted: this line says which share was used.
  request.log.info({ orgId: share.orgId, shareId: share.id, download }, 'share accessed');
}

/** The shared reports that still exist (a report deleted after sharing has left the share). */
async function sharedReports(ctx: AppContext, share: SharedLink) {
  return findReportsWithFiles(ctx.db, share.orgId, await sharedReportIds(ctx.db, share.id));
}

/**
 * /api/shares/{token}: what a share link shows, without signing in. The token (256 random bits) is
 * the credential, so nothing about the caller matters: an organisation that requires read tokens
 * still answers its share links, which is what they are for.
 */
export const sharePublicRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['shares'];
  app.decorateRequest('shareActor', null);
  // Guessing a 256-bit token is hopeless, so the limit is not about secrecy: it bounds what one
  // address can make the server do (each ZIP streams every shared file).
  if (ctx.config.readRateLimitPerMinute > 0) {
    await app.register(rateLimit, { max: ctx.config.readRateLimitPerMinute, timeWindow: 60_000, keyGenerator: (request) => clientAddressKey(request.ip) });
  }

  app.get(
    '/api/shares/:token',
    {
      schema: {
        operationId: 'getShare',
        summary: 'The reports a share link shows, as GET /security/report/list lists them (no sign-in needed; each call counts as an access)',
        description: '404 for an unknown link; 410 share_revoked or share_expired.',
        tags,
        security: publicRoute,
        params: ShareTokenParams,
        response: { 200: SharedReportsSchema, ...gone, ...problemResponses },
      },
    },
    async (request, reply) => {
      const share = await usableShare(ctx, request.params.token);
      await countAccess(ctx, request, share, false);
      const reports = (await sharedReports(ctx, share)).map(({ files: _files, organizationId: _org, ...item }) => item);
      reply.header('cache-control', 'no-store');
      return { organizationId: share.orgId, organizationName: share.orgName, expiresAt: new Date(share.expiresAt).toISOString(), reports };
    },
  );

  app.get(
    '/api/shares/:token/files',
    {
      schema: {
        operationId: 'downloadSharedReports',
        summary: 'The shared reports as the signed ZIP of /security/report/files (manifest.json and manifest.json.sig; check it with `arkiv verify`)',
        description: '404 for an unknown link; 410 share_revoked or share_expired. Counts as an access and a download.',
        tags,
        security: publicRoute,
        params: ShareTokenParams,
        response: { 200: Type.String({ description: 'application/zip', contentMediaType: 'application/zip' }), ...gone, ...problemResponses },
      },
    },
    async (request, reply) => {
      const share = await usableShare(ctx, request.params.token);
      await countAccess(ctx, request, share, true);
      return sendReportArchive(ctx, request, reply, { organizationId: share.orgId, reports: await sharedReports(ctx, share), source: shareSource(request, share.id) });
    },
  );

  app.get(
    '/api/shares/:token/reports/:reportId/files/:kind',
    {
      schema: {
        operationId: 'downloadSharedReportFile',
        summary: 'One file of a shared report (always as an attachment)',
        description: '404 for an unknown link or a report the share does not hold; 410 share_revoked or share_expired.',
        tags,
        security: publicRoute,
        params: SharedFileParams,
        response: { 200: Type.String({ description: 'The file' }), ...gone, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { token, reportId, kind } = request.params;
      const share = await usableShare(ctx, token);
      const id = reportId.toLowerCase();
      const shared = (await sharedReportIds(ctx.db, share.id)).includes(id);
      const [report] = shared ? await findReportsWithFiles(ctx.db, share.orgId, [id]) : [];
      if (!report?.files.some((f) => f.kind === kind)) throw notFound('Report file');
      await countAccess(ctx, request, share, true);
      return sendReportFile(ctx, reply, report, kind, shareSource(request, share.id));
    },
  );
};

/** A download through a share link, as the audit log records it: the link, not a person. */
function shareSource(request: FastifyRequest, shareId: string): DownloadSource {
  return { actor: { kind: 'share', id: shareId }, address: request.ip };
}
