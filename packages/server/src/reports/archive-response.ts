import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { orgSigner } from '../signing/org-signer.js';
import { recordDownload, type DownloadSource } from '../audit/download-audit.js';
import { createReportArchive } from './archive.js';
import type { ReportWithFiles } from './report-model.js';
import { stageStream } from '../blobs/staging.js';
import { discardGenerated, stageSarifExports } from '../findings/sarif-export.js';

/**
 * Sends reports as the signed ZIP of `GET /security/report/files` (entries, manifest.json,
 * manifest.json.sig), whoever asks for it: the seed read API and share links answer with the same
 * bytes, so one verifier (`arkiv verify`) checks both.
 */
export async function sendReportArchive(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { organizationId: string; reports: readonly ReportWithFiles[]; source: DownloadSource },
): Promise<FastifyReply> {
  const now = new Date(ctx.now());
  const signer = await orgSigner(ctx, input.organizationId);
  // findings.sarif is generated, so it is made first (in memory, or staged when large): the signed
  // manifest needs its size and hash up front.
  const sarif = await stageSarifExports(ctx.db, (source) => stageStream(source, ctx.stagingDir, Number.MAX_SAFE_INTEGER), input.reports.map(sarifSourceOf));
  const generated = new Map([...sarif].map(([id, file]) => [id, [{ kind: 'sarif', fileName: 'findings.sarif', mediaType: 'application/sarif+json', size: file.size, sha256: file.sha256, ...('bytes' in file ? { bytes: file.bytes } : { stagedPath: file.path }) }]]));
  const archive = createReportArchive({ organizationId: input.organizationId, reports: input.reports, blobs: ctx.blobs, log: request.log, now, signer, generated });
  // The staged exports live as long as the transfer, whichever way it ends.
  archive.stream.once('close', () => void Promise.all([...sarif.values()].map(discardGenerated)));
  const size = await archive.size;
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  reply.header('content-type', 'application/zip');
  reply.header('content-disposition', `attachment; filename="arkiv-reports-${stamp}.zip"`);
  reply.header('cache-control', 'no-store');
  if (size >= 0) reply.header('content-length', String(size));
  recordDownload(ctx, reply.raw, { orgId: input.organizationId, ...input.source, reportIds: input.reports.map((r) => r.id), format: 'zip', size });
  return reply.send(archive.stream);
}

/** What a SARIF export needs to know of a report. */
export const sarifSourceOf = (report: ReportWithFiles) => ({
  reportId: report.id,
  projectName: report.projectName,
  projectVersion: report.projectVersion,
  reportType: report.reportType,
  date: report.date,
});
