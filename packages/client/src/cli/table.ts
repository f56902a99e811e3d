import type { ReportListItem } from '../types.js';

const COLUMNS: Array<[header: string, cell: (r: ReportListItem) => string, align?: 'right']> = [
  ['ID', (r) => r.id],
  ['PROJECT', (r) => r.projectName],
  ['VERSION', (r) => r.projectVersion],
  ['REPORT', (r) => `${r.reportType} ${r.reportVersion}`],
  ['DATE', (r) => r.date.slice(0, 10)],
  ['VULNS', (r) => String(r.vulnerabilitiesCount), 'right'],
  ['RATING', (r) => r.securityRating],
];

/** Strips control characters: report metadata is user input and must not drive the terminal. */
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** A plain-text table, one report per line, columns padded to their widest cell. */
export function formatReportTable(reports: readonly ReportListItem[]): string {
  const rows = reports.map((r) => COLUMNS.map(([, cell]) => printable(cell(r))));
  const widths = COLUMNS.map(([header], i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (COLUMNS[i]![2] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [format(COLUMNS.map(([header]) => header)), ...rows.map(format)].join('\n');
}
