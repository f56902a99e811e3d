import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { orgSigner } from '../signing/org-signer.js';
import { createReportArchive } from './archive.js';
import type { ReportWithFiles } from './report-model.js';

/**
 * Sends reports as the signed ZIP of `GET /security/report/files` (entries, manifest.json,
 * manifest.json.sig), whoever asks for it: the seed read API and share links answer with the same
 * bytes, so one verifier (`arkiv verify`) checks both.
 */
export async function sendReportArchive(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { organizationId: string; reports: readonly ReportWithFiles[] },
): Promise<FastifyReply> {
  const now = new Date(ctx.now());
  const signer = await orgSigner(ctx, input.organizationId);
  const archive = createReportArchive({ organizationId: input.organizationId, reports: input.reports, blobs: ctx.blobs, log: request.log, now, signer });
  const size = await archive.size;
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  reply.header('content-type', 'application/zip');
  reply.header('content-disposition', `attachment; filename="arkiv-reports-${stamp}.zip"`);
  reply.header('cache-control', 'no-store');
  if (size >= 0) reply.header('content-length', String(size));
  return reply.send(archive.stream);
}
