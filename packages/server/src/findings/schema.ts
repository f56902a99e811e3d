/** Findings of reports (migration 0012_findings). One row per finding; the report's identity copied on. */
export interface ReportFindingsTable {
  report_id: string;
  /** Position in the report, from 0: with report_id, the key and the stable order within a version. */
  seq: number;
  org_id: string;
  project_name: string;
  project_version: string;
  version_key: string;
  report_type: string;
  fingerprint: string;
  rule_id: string;
  rule_name: string | null;
  /** vulnerability, hotspot or issue (see finding-model.ts). */
  kind: string;
  severity: string;
  status: string;
  file: string | null;
  line: number | null;
  message: string;
  /** CWE numbers, comma-separated ("79,89"); empty when none. */
  cwe: string;
  /** OWASP Top 10 2021 ids, comma-separated ("A03"); empty when none. */
  owasp: string;
  /** SARIF partialFingerprints as uploaded (JSON), given back on export; null otherwise. */
  fingerprints: string | null;
}

export interface FindingCwesTable {
  report_id: string;
  seq: number;
  org_id: string;
  cwe: number;
  project_name: string;
  version_key: string;
  status: string;
}

declare module '../db/schema.js' {
  interface Database {
    report_findings: ReportFindingsTable;
    finding_cwes: FindingCwesTable;
  }
}
