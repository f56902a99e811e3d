import PDFDocument from 'pdfkit';
import {
  COUNTING_NOTE, formatDate, hasFindings, hotspotPriority, hotspotRule, hotspotStatus, locationOf, openVulnerabilityCount,
  ratingExplanation, reportTitle, severityLabel, vulnerabilitiesCaption,
} from './display.js';
import type { ReportCategory, SecurityReport } from './model.js';
import { drawTable, ensureSpace, pdfText, type PdfColumn } from './pdf-table.js';

/*
 * The PDF twin of render-html.ts: real text (searchable, extractable), standard fonts only, no
 * image and no link. The same report gives the same bytes: the document dates come from the
 * analysis date (pdfkit derives the file ID from them), never from the clock.
 */

const MARGIN = 50;

const SUMMARY_COLUMNS: PdfColumn[] = [
  { header: 'Rank', share: 0.08, align: 'right' },
  { header: 'Category', share: 0.62 },
  { header: 'Open vulnerabilities', share: 0.15, align: 'right' },
  { header: 'Security hotspots', share: 0.15, align: 'right' },
];
const VULNERABILITY_COLUMNS: PdfColumn[] = [
  { header: 'Severity', share: 0.11 },
  { header: 'Rule', share: 0.16 },
  { header: 'Location', share: 0.33 },
  { header: 'Message', share: 0.4 },
];
const HOTSPOT_COLUMNS: PdfColumn[] = [
  { header: 'Priority', share: 0.09 },
  { header: 'Status', share: 0.14 },
  { header: 'Rule', share: 0.15 },
  { header: 'Location', share: 0.27 },
  { header: 'Message', share: 0.35 },
];

export function renderPdf(report: SecurityReport): Promise<Buffer> {
  const date = new Date(report.date);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `${reportTitle(report)} security report: ${report.projectName} ${report.projectVersion}`,
      Author: 'Arkiv',
      Creator: 'Arkiv',
      Subject: `SonarQube analysis of ${report.date}`,
      CreationDate: date,
      ModDate: date,
    },
  });
  const pdf = collectPdf(doc);
  drawHeader(doc, report);
  drawSummary(doc, report);
  for (const category of report.categories) {
    if (hasFindings(category)) drawCategory(doc, category);
  }
  drawPageFooters(doc, report);
  doc.end();
  return pdf;
}

/** Collects a pdfkit document into one Buffer; call before `doc.end()`. */
export function collectPdf(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function drawHeader(doc: PDFKit.PDFDocument, report: SecurityReport): void {
  doc.font('Helvetica-Bold').fontSize(18).text(pdfText(`${reportTitle(report)} security report`));
  doc.moveDown(0.5);
  const facts: [string, string | number][] = [
    ['Project', report.projectName],
    ['Version', report.projectVersion],
    ['Analysis date', formatDate(report.date)],
    ['Report', `${report.reportType} ${report.reportVersion}`],
    ['Vulnerabilities', report.vulnerabilitiesCount],
    ['Security rating', report.securityRating],
  ];
  for (const [label, value] of facts) {
    doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true });
    doc.font('Helvetica').text(pdfText(value));
  }
  doc.moveDown(0.5);
  doc.font('Helvetica').fontSize(8).fillColor('#374151')
    .text(pdfText(`Rating ${ratingExplanation(report)} ${COUNTING_NOTE}`));
  if (report.unread.length > 0) {
    doc.moveDown(0.3).font('Helvetica-Bold').fillColor('#b91c1c')
      .text(pdfText(`Incomplete: SonarQube counted findings it could not serve: ${report.unread.join('; ')}.`));
  }
  doc.fillColor('#000').moveDown(1);
}

function drawSummary(doc: PDFKit.PDFDocument, report: SecurityReport): void {
  const rows = report.categories.map((c) => [c.rank, `${c.id} ${c.name}`, openVulnerabilityCount(c), c.hotspots.length]);
  rows.push(['', 'Vulnerabilities in this report (each counted once)', report.vulnerabilitiesCount, '']);
  doc.font('Helvetica-Bold').fontSize(13).text('Summary', MARGIN);
  doc.moveDown(0.3);
  drawTable(doc, SUMMARY_COLUMNS, rows);
}

function drawCategory(doc: PDFKit.PDFDocument, category: ReportCategory): void {
  // Room for the heading plus a table's caption, header and a first row: no heading alone at a page foot.
  ensureSpace(doc, 80);
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(11).text(pdfText(`#${category.rank} ${category.id} ${category.name}`), MARGIN);
  doc.moveDown(0.3);
  const vulnerabilities = category.vulnerabilities;
  if (vulnerabilities.length === 0) doc.font('Helvetica').fontSize(9).text('No open vulnerabilities.').moveDown(0.5);
  else {
    const rows = vulnerabilities.map((f) => [severityLabel(f), f.rule, locationOf(f), f.message]);
    drawTable(doc, VULNERABILITY_COLUMNS, rows, vulnerabilitiesCaption(category));
  }
  if (category.hotspots.length > 0) {
    const rows = category.hotspots.map((h) => [hotspotPriority(h), hotspotStatus(h), hotspotRule(h), locationOf(h), h.message]);
    drawTable(doc, HOTSPOT_COLUMNS, rows, `Security hotspots (${category.hotspots.length})`);
  }
}

/** "Project version · report · page n of m" under every page, once all pages exist. */
function drawPageFooters(doc: PDFKit.PDFDocument, report: SecurityReport): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit add a page; lift the margin while we do.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const product = `${report.projectName} ${report.projectVersion}`;
    const label = product.length > 80 ? `${product.slice(0, 79)}…` : product;
    const text = pdfText(`${label} · ${reportTitle(report)} · page ${i + 1} of ${count}`);
    doc.font('Helvetica').fontSize(7).fillColor('#4b5563')
      .text(text, MARGIN, doc.page.height - bottom + 20, { width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor('#000');
}
