/**
 * What `npm run demo` stores: three products, versions 1.0 … 3.2.1 with prereleases, each version
 * analysed once and reported as CWE Top 25 2024 and OWASP Top 10 2021. Everything is fixed (no
 * clock, no randomness), so seeding again replaces each report with identical data and files;
 * only uploadDate moves, to the time of seeding, as for any re-upload.
 */

/** Seed 000's example organisation: its curl lines work literally against the demo. */
export const DEMO_ORG_ID = '00000000-0000-0000-0000-000000000001';
export const DEMO_ORG_NAME = 'Demo organisation';

/** Seed 000's example report ids: "Test product" 1.0 as CWE Top 25 2024 and OWASP Top 10 2021. */
export const SEED_CWE_REPORT_ID = '00000000-0000-0000-0000-000000000002';
export const SEED_OWASP_REPORT_ID = '00000000-0000-0000-0000-000000000003';

export interface DemoRelease {
  projectName: string;
  projectVersion: string;
  /** Analysis date as SonarQube would report it; stored verbatim as the reports' `date`. */
  analysisDate: string;
  /** Ids for the CWE and OWASP reports when first created; others get random UUIDs. */
  ids?: { cwe: string; owasp: string };
  /** 0: no findings (seed 000's example report has none); otherwise the release's window of its product's findings (demo-reports.ts). */
  findings?: 0;
}

export const DEMO_RELEASES: readonly DemoRelease[] = [
  {
    projectName: 'Test product',
    projectVersion: '1.0',
    analysisDate: '2025-12-17T09:05:48.5946432+00:00',
    ids: { cwe: SEED_CWE_REPORT_ID, owasp: SEED_OWASP_REPORT_ID },
    findings: 0,
  },
  { projectName: 'Test product', projectVersion: '1.1.0', analysisDate: '2026-02-03T14:21:07+00:00' },
  { projectName: 'Test product', projectVersion: '2.0.0-beta.1', analysisDate: '2026-04-22T08:47:31+02:00' },
  { projectName: 'Test product', projectVersion: '2.0.0', analysisDate: '2026-05-19T16:02:55+02:00' },
  { projectName: 'Test product', projectVersion: '2.1.0', analysisDate: '2026-09-08T10:14:12+02:00' },
  { projectName: 'Payments API', projectVersion: '1.2.0', analysisDate: '2025-03-11T11:30:00+01:00' },
  { projectName: 'Payments API', projectVersion: '1.2.1', analysisDate: '2025-04-02T09:12:44+02:00' },
  { projectName: 'Payments API', projectVersion: '2.0.0', analysisDate: '2025-09-15T13:45:09+02:00' },
  { projectName: 'Payments API', projectVersion: '3.0.0-rc.1', analysisDate: '2026-03-30T07:58:21+02:00' },
  { projectName: 'Payments API', projectVersion: '3.2.1', analysisDate: '2026-10-06T15:20:38+02:00' },
  { projectName: 'Customer portal', projectVersion: '1.4.0', analysisDate: '2025-06-24T12:00:17+02:00' },
  { projectName: 'Customer portal', projectVersion: '2.3.0', analysisDate: '2026-01-13T10:41:50+01:00' },
  { projectName: 'Customer portal', projectVersion: '3.0.0', analysisDate: '2026-07-01T09:03:26+02:00' },
  { projectName: 'Customer portal', projectVersion: '3.2.1', analysisDate: '2026-11-02T17:36:04+01:00' },
];
