/*
 * Tables for pdfkit with the pagination a printed report needs:
 * - a row is never split across pages: a row that would cross the bottom margin starts a new page;
 * - the column headers are drawn again at the top of every page the table continues on;
 * - the caption, the header and the first row stay together, so no caption is left alone at a
 *   page bottom;
 * - no row is taller than a page: cell text is clipped (with an ellipsis) to fit.
 */

export interface PdfColumn {
  header: string;
  /** Share of the content width; the shares of a table add up to 1. */
  share: number;
  align?: 'left' | 'right';
}

const PADDING = 3;
const FONT_SIZE = 8;
const REGULAR = 'Helvetica';
const BOLD = 'Helvetica-Bold';
/** Longer cell text is clipped: messages are untrusted and unbounded. */
const MAX_CELL_CHARS = 600;

/**
 * The standard PDF fonts only hold Windows-1252 characters; anything else would come out as a
 * wrong glyph, so it is shown as "?". Control characters become spaces.
 */
const WIN_ANSI_EXTRAS = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
export function pdfText(value: string | number): string {
  let text = '';
  for (const char of String(value)) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) text += ' ';
    else if (code <= 0xff || WIN_ANSI_EXTRAS.includes(char)) text += char;
    else text += '?';
  }
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

/** Starts a new page unless `height` points still fit above the bottom margin. */
export function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > doc.page.maxY()) doc.addPage();
}

export function drawTable(doc: PDFKit.PDFDocument, columns: PdfColumn[], rows: (string | number)[][], caption?: string): void {
  const left = doc.page.margins.left;
  const contentWidth = doc.page.width - left - doc.page.margins.right;
  const widths = columns.map((c) => c.share * contentWidth);
  const headers = columns.map((c) => c.header);
  const headerHeight = measureRow(doc, headers, widths, BOLD, Infinity);
  const maxRowHeight = doc.page.maxY() - doc.page.margins.top - headerHeight;
  const captionHeight = caption === undefined ? 0 : doc.font(BOLD).fontSize(9).heightOfString(pdfText(caption)) + 2;

  const cells = rows.map((row) => row.map(pdfText));
  const firstRowHeight = cells[0] ? measureRow(doc, cells[0], widths, REGULAR, maxRowHeight) : 0;
  ensureSpace(doc, captionHeight + headerHeight + firstRowHeight);
  if (caption !== undefined) {
    doc.font(BOLD).fontSize(9).fillColor('#000').text(pdfText(caption), left, doc.y, { width: contentWidth });
    doc.y += 2;
  }
  let y = drawRow(doc, headers, widths, { y: doc.y, height: headerHeight, font: BOLD, fill: '#e5e7eb', columns });
  for (const row of cells) {
    const height = measureRow(doc, row, widths, REGULAR, maxRowHeight);
    if (y + height > doc.page.maxY()) {
      doc.addPage();
      y = drawRow(doc, headers, widths, { y: doc.page.margins.top, height: headerHeight, font: BOLD, fill: '#e5e7eb', columns });
    }
    y = drawRow(doc, row, widths, { y, height, font: REGULAR, columns });
  }
  doc.x = left;
  doc.y = y + 8;
}

function measureRow(doc: PDFKit.PDFDocument, cells: string[], widths: number[], font: string, max: number): number {
  doc.font(font).fontSize(FONT_SIZE);
  const tallest = Math.max(...cells.map((text, i) => doc.heightOfString(text, { width: (widths[i] ?? 0) - 2 * PADDING })));
  return Math.min(tallest + 2 * PADDING, max);
}

interface RowStyle {
  y: number;
  height: number;
  font: string;
  fill?: string;
  columns: PdfColumn[];
}

/** Draws one row at `style.y` and returns the y just below it. */
function drawRow(doc: PDFKit.PDFDocument, cells: string[], widths: number[], style: RowStyle): number {
  let x = doc.page.margins.left;
  cells.forEach((text, i) => {
    const width = widths[i] ?? 0;
    if (style.fill) doc.rect(x, style.y, width, style.height).fill(style.fill);
    doc.rect(x, style.y, width, style.height).lineWidth(0.5).strokeColor('#9ca3af').stroke();
    doc.font(style.font).fontSize(FONT_SIZE).fillColor('#000').text(text, x + PADDING, style.y + PADDING, {
      width: width - 2 * PADDING,
      height: style.height - 2 * PADDING,
      ellipsis: true,
      align: style.columns[i]?.align ?? 'left',
    });
    x += width;
  });
  return style.y + style.height;
}
