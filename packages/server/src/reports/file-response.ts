import crypto from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { recordDownload, type DownloadSource } from '../audit/download-audit.js';
import type { AppContext } from '../context.js';
import { notFound } from '../http/errors.js';
import { safeName } from './archive.js';
import type { ReportFileKind, ReportWithFiles } from './report-model.js';

/**
 * Sends one file of a report, for members and share links alike. Uploaded HTML is untrusted: it
 * is only ever served as an attachment, sandboxed by CSP and with sniffing disabled, so it can
 * never run as a page of Arkiv's own origin. The bytes are checked against the recorded SHA-256
 * while they stream: a mismatch breaks the transfer rather than delivering wrong bytes.
 */
export function sendReportFile(ctx: AppContext, reply: FastifyReply, report: ReportWithFiles | undefined, kind: ReportFileKind, source: DownloadSource): FastifyReply {
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
  const blob = ctx.blobs.read(file.blobKey);
  blob.on('error', (error) => verify.destroy(error));
  reply.header('content-type', kind === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name.replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  reply.header('content-security-policy', "sandbox; default-src 'none'");
  reply.header('content-length', String(file.size));
  reply.header('cache-control', 'private, no-store');
  recordDownload(ctx, reply.raw, { orgId: report.organizationId, ...source, reportIds: [report.id], format: kind, size: file.size });
  return reply.send(blob.pipe(verify));
}
