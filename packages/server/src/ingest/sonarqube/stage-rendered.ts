import { Readable } from 'node:stream';
import type { AppContext } from '../../context.js';
import { discardStaged, stageStream } from '../../blobs/staging.js';
import type { StagedFile } from '../../blobs/blob-store.js';
import { renderHtml, renderPdf, type SecurityReport } from './report/index.js';

/**
 * A rendered report's HTML and PDF (Arkiv's rendering, or the given PDF) staged like uploaded
 * files, ready for publishStagedFiles. On failure nothing staged is left behind.
 */
export async function stageRenderedReport(ctx: AppContext, report: SecurityReport, pdf?: Buffer) {
  const base = `${report.reportType} ${report.reportVersion}`.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const staged: StagedFile[] = [];
  try {
    const stage = async (bytes: Buffer) => {
      const file = await stageStream(Readable.from([bytes]), ctx.stagingDir, ctx.config.maxUploadBytes);
      staged.push(file);
      return file;
    };
    return [
      { kind: 'html' as const, fileName: `${base}.html`, mediaType: 'text/html', staged: await stage(Buffer.from(renderHtml(report), 'utf8')) },
      pdf
        ? { kind: 'pdf' as const, fileName: 'sonarqube-security-report.pdf', mediaType: 'application/pdf', staged: await stage(pdf) }
        : { kind: 'pdf' as const, fileName: `${base}.pdf`, mediaType: 'application/pdf', staged: await stage(await renderPdf(report)) },
    ];
  } catch (error) {
    await Promise.all(staged.map(discardStaged));
    throw error;
  }
}
