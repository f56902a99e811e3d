import type { ReportFindingsTable } from './schema.js';

/** One finding as the findings API shows it. */
export interface FindingView {
  reportId: string;
  reportType: string;
  fingerprint: string;
  ruleId: string;
  ruleName: string | null;
  kind: string;
  severity: string;
  status: string;
  file: string | null;
  line: number | null;
  message: string;
  /** "CWE-89" */
  cwe: string[];
  /** "A03" (OWASP Top 10 2021) */
  owasp: string[];
}

export type FindingViewRow = Pick<
  ReportFindingsTable,
  'report_id' | 'report_type' | 'fingerprint' | 'rule_id' | 'rule_name' | 'kind' | 'severity' | 'status' | 'file' | 'line' | 'message' | 'cwe' | 'owasp'
>;

export const FINDING_VIEW_COLUMNS = ['report_id', 'report_type', 'fingerprint', 'rule_id', 'rule_name', 'kind', 'severity', 'status', 'file', 'line', 'message', 'cwe', 'owasp'] as const;

export const cweLabels = (cwe: string): string[] => (cwe === '' ? [] : cwe.split(',').map((n) => `CWE-${n}`));
export const owaspLabels = (owasp: string): string[] => (owasp === '' ? [] : owasp.split(','));

export function toFindingView(row: FindingViewRow): FindingView {
  return {
    reportId: row.report_id,
    reportType: row.report_type,
    fingerprint: row.fingerprint,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    file: row.file,
    line: row.line === null ? null : Number(row.line),
    message: row.message,
    cwe: cweLabels(row.cwe),
    owasp: owaspLabels(row.owasp),
  };
}
