import type { SecurityReport } from './model.js';

/**
 * renderPdf, with pdfkit (and its font data, ≈ 24 MiB of RSS) loaded at the first report rendered:
 * a process that never renders one (an API replica) never pays for it.
 */
export async function renderPdf(report: SecurityReport): Promise<Buffer> {
  const { renderPdf: render } = await import('./render-pdf.js');
  return render(report);
}
