import { DEMO_ORG_ID, SEED_CWE_REPORT_ID, SEED_OWASP_REPORT_ID } from './demo-catalogue.js';

/**
 * Example requests printed after seeding: seed 000's two requests with only the base URL changed,
 * plus a range query whose answer shows prerelease ordering (2.0.0-beta.1 lies within 1.0.1…2.0.0).
 */
export function demoRequests(publicUrl: string): { listExact: string; listRange: string; download: string } {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    listExact: `curl "${base}/security/report/list?org=${DEMO_ORG_ID}&version=1.0"`,
    listRange: `curl "${base}/security/report/list?org=${DEMO_ORG_ID}&minver=1.0.1&maxver=2.0.0"`,
    download: `curl -o reports.zip "${base}/security/report/files?org=${DEMO_ORG_ID}&reports=${SEED_CWE_REPORT_ID}&reports=${SEED_OWASP_REPORT_ID}"`,
  };
}
