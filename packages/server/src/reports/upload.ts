import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { AppError, invalidParameter, payloadTooLarge, unsupportedMediaType } from '../http/errors.js';
import { discardStaged, SizeLimitExceeded, stageStream } from '../blobs/staging.js';
import type { StagedFile } from '../blobs/blob-store.js';
import { validateReportMetadata } from './report-input.js';
import { pdfFileProblem } from './pdf-structure.js';
import type { ReportFile, ReportFileKind } from './report-model.js';
import { readSarif, type SarifFindings } from '../findings/sarif/read-sarif.js';
import { renderSarifOnly, sarifListings } from '../findings/sarif-report.js';

const METADATA_FIELDS = new Set(['projectName', 'projectVersion', 'reportType', 'reportVersion', 'date', 'vulnerabilitiesCount', 'securityRating']);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);

interface StagedUpload {
  kind: ReportFileKind;
  fileName: string;
  mediaType: string;
  staged: StagedFile;
}

/** Why a staged file is not what its field says it is, or undefined when it is fine. */
export function checkFileContent(kind: ReportFileKind, mediaType: string, head: Buffer): string | undefined {
  if (kind === 'pdf') {
    if (!head.subarray(0, 5).equals(Buffer.from('%PDF-'))) return 'pdf is not a PDF file (it does not start with %PDF-)';
    return undefined;
  }
  if (!HTML_TYPES.has(mediaType)) return `html must be sent as text/html, not ${mediaType || 'no type'}`;
  if (head.subarray(0, 5).equals(Buffer.from('%PDF-'))) return 'html holds a PDF file';
  return undefined;
}

/**
 * Reads a multipart upload: metadata fields named as in the list response, the files `html`
 * and `pdf`, and optionally `sarif` (the report's findings, SARIF 2.1.0). With `sarif` alone,
 * Arkiv renders the HTML and PDF itself. Files are staged to disk while streaming (hashed,
 * size-limited); nothing enters the blob store or the database until every part has been checked.
 * A SARIF file's findings come back staged on disk (`findings`): the caller stores them in the
 * report's transaction and closes them.
 */
export async function readReportUpload(ctx: AppContext, request: FastifyRequest) {
  if (!request.isMultipart()) throw unsupportedMediaType('Upload reports as multipart/form-data');
  const fields: Record<string, string> = {};
  const files = new Map<ReportFileKind, StagedUpload>();
  const limit = ctx.config.maxUploadBytes;
  let parts = 0;
  let sarif: StagedFile | undefined;
  let findings: SarifFindings | undefined;
  try {
    for await (const part of request.parts()) {
      parts += 1;
      if (part.type === 'field') {
        if (!METADATA_FIELDS.has(part.fieldname)) throw invalidParameter(`Unknown field ${part.fieldname}`);
        if (typeof part.value !== 'string') throw invalidParameter(`${part.fieldname} must be text`);
        fields[part.fieldname] = part.value;
        continue;
      }
      const kind = part.fieldname as ReportFileKind | 'sarif';
      if (kind !== 'html' && kind !== 'pdf' && kind !== 'sarif') {
        part.file.resume();
        throw invalidParameter(`Unknown file field ${part.fieldname}; send html and pdf, and optionally sarif`);
      }
      if (kind === 'sarif' ? sarif !== undefined : files.has(kind)) throw invalidParameter(`Only one ${kind} file per report`);
      const staged = await stageStream(part.file, ctx.stagingDir, limit).catch((error: unknown) => {
        if (error instanceof SizeLimitExceeded || (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw payloadTooLarge(limit);
        throw error;
      });
      // Busboy cuts a file at the size limit and may end its stream before the iterator reports it.
      if ((part.file as { truncated?: boolean }).truncated) {
        await discardStaged(staged);
        throw payloadTooLarge(limit);
      }
      if (kind === 'sarif') {
        sarif = staged;
        continue;
      }
      const mediaType = (part.mimetype || '').split(';')[0]!.trim().toLowerCase();
      files.set(kind, { kind, fileName: part.filename || `report.${kind}`, mediaType: kind === 'pdf' ? 'application/pdf' : 'text/html', staged });
      const problem = checkFileContent(kind, mediaType, staged.head);
      if (problem) throw new AppError(400, 'invalid_file', problem);
      if (staged.size === 0) throw new AppError(400, 'invalid_file', `${kind} is empty`);
      if (kind === 'pdf') {
        const broken = await pdfFileProblem(staged.path, staged.size);
        if (broken) throw invalidPdf(broken);
      }
    }
    // RFC 2046 §5.1.1: a multipart body has one or more parts; an empty body is not one.
    if (parts === 0) throw new AppError(400, 'invalid_multipart', 'The body is not valid multipart/form-data: it holds no parts');
    // Without html and pdf, Arkiv renders both: the staged findings are indexed for the rendering too.
    findings = sarif ? await readSarif(sarif.path, ctx.stagingDir, files.size === 0 ? sarifListings : () => []) : undefined;
    if (findings && files.size === 0) {
      const { metadataFields, render } = await renderSarifOnly(ctx, fields, findings.findings, findings.startTime);
      const metadata = validateReportMetadata(metadataFields);
      for (const rendered of await render()) files.set(rendered.kind, rendered);
      return { metadata, files: [...files.values()], findings: findings.findings };
    }
    const metadata = validateReportMetadata(fields);
    for (const kind of ['html', 'pdf'] as const) {
      if (!files.has(kind)) throw new AppError(400, 'missing_file', `The ${kind} file is required${sarif ? '' : ' (or send a sarif file alone and Arkiv renders both)'}`);
    }
    return { metadata, files: [...files.values()], findings: findings?.findings };
  } catch (error) {
    await findings?.findings.close();
    await Promise.all([...files.values()].map((f) => discardStaged(f.staged)));
    await drainBody(request);
    throw asUploadError(error);
  } finally {
    // The findings are staged from it; the file itself is not kept (GET …/sarif writes the findings anew).
    if (sarif) await discardStaged(sarif);
  }
}

const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Reads and drops what is left of a refused upload's body before the answer goes out. A client
 * still sending when the server answers and closes sees a reset connection instead of the
 * answer (curl and fetch report "connection reset", not the 400 or 507). Bounded: the body
 * limits of the multipart parser still apply, and a client that stalls is cut after a while.
 */
async function drainBody(request: FastifyRequest): Promise<void> {
  const body = request.raw;
  if (body.readableEnded || body.destroyed) return;
  body.unpipe();
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, DRAIN_TIMEOUT_MS);
    body.once('end', done).once('close', done).once('error', done);
    body.resume();
  });
}

export const invalidPdf = (problem: string) => new AppError(400, 'invalid_pdf', problem);

/** @fastify/multipart's own refusals of a body; its limits (413, too many parts) are mapped by the error handler. */
const MULTIPART_REFUSALS = new Set(['FST_PROTO_VIOLATION', 'FST_INVALID_MULTIPART_CONTENT_TYPE', 'FST_INVALID_JSON_FIELD_ERROR', 'FST_MP_PREMATURE_CLOSE']);

/**
 * The one place a malformed multipart body becomes a 400. Busboy, under @fastify/multipart, fails
 * a body it cannot parse ("Unexpected end of multipart data", "Multipart: Boundary not found",
 * "Malformed part header") with a bare `Error` that has no code; a system error (a full disk, say)
 * always has one, and a programming error is a TypeError or the like, so neither is mistaken for
 * bad input.
 */
function asUploadError(error: unknown): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const busboyRefusal = error.constructor === Error && code === undefined;
  if (busboyRefusal || (typeof code === 'string' && MULTIPART_REFUSALS.has(code))) {
    return new AppError(400, 'invalid_multipart', `The body is not valid multipart/form-data: ${error.message}`);
  }
  return error;
}

/** Publishes staged files into the blob store; after this, rows may name them. */
export async function publishStagedFiles(ctx: AppContext, uploads: StagedUpload[]): Promise<ReportFile[]> {
  const published: ReportFile[] = [];
  try {
    for (const upload of uploads) {
      const blobKey = await ctx.blobs.put(upload.staged);
      published.push({ kind: upload.kind, fileName: upload.fileName, mediaType: upload.mediaType, size: upload.staged.size, sha256: upload.staged.sha256, blobKey });
    }
    return published;
  } finally {
    await Promise.all(uploads.map((u) => discardStaged(u.staged)));
  }
}
