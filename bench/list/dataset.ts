import crypto from 'node:crypto';
import { parseVersion } from '@arkiv/server';
import type { Database } from '../../packages/server/src/db/schema.js';

/**
 * The list benchmark's organisation: REPORTS_PER_VERSION reports for every version, so 100 000
 * reports span 2 000 versions and 1 000 000 span 20 000. Each major line has 100 versions
 * (minors 0–9, each with a beta, an rc and patches 0–7), so the larger data set holds the smaller
 * one's versions plus more majors: the benchmark query returns the same reports at every size.
 */
export const REPORTS_PER_VERSION = 50;
const VERSIONS_PER_MAJOR = 100;
const PATCH_LABELS = ['0-beta.1', '0-rc.1', '0', '1', '2', '3', '4', '5', '6', '7'];

export const PROJECTS = [
  'billing-service', 'checkout-web', 'customer-portal', 'data-pipeline', 'identity-gateway',
  'inventory-api', 'mobile-backend', 'notification-hub', 'order-service', 'payments-core',
  'reporting-ui', 'search-indexer', 'shipping-api',
];
/** (reportType, reportVersion) pairs: both seed report types, two editions each. */
export const REPORT_KINDS: ReadonlyArray<readonly [string, number]> = [
  ['CWE Top 25', 2023], ['CWE Top 25', 2024], ['OWASP Top 10', 2017], ['OWASP Top 10', 2021],
];
const RATINGS = ['A', 'B', 'C', 'D', 'E'];

/**
 * The query under test: a minver/maxver range whose bounds are not stored versions; by
 * prerelease precedence it holds exactly one version, 7.3.0-rc.1, so it returns 50 reports.
 */
export const LIST_QUERY = { minver: '7.3.0-beta.2', maxver: '7.3.0-rc.1' };
export const EXPECTED_MATCHES = REPORTS_PER_VERSION;

/** A reports row exactly as the server's schema defines it. */
export type ReportRow = Database['reports'];

export function versionAt(index: number): string {
  const major = 1 + Math.floor(index / VERSIONS_PER_MAJOR);
  const minor = Math.floor((index % VERSIONS_PER_MAJOR) / PATCH_LABELS.length);
  return `${major}.${minor}.${PATCH_LABELS[index % PATCH_LABELS.length]}`;
}

/** A small deterministic PRNG (mulberry32): the same size yields the same data on both engines. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Yields the organisation's reports version by version, in batches. Of the 13 × 4 identity slots
 * of a version, 50 are used (two skipped, rotating), so identities never collide.
 */
export function* reportBatches(orgId: string, totalReports: number, batchSize: number): Generator<ReportRow[]> {
  const next = random(0xa4c1);
  const versions = Math.ceil(totalReports / REPORTS_PER_VERSION);
  const slots = PROJECTS.length * REPORT_KINDS.length;
  const start = Date.UTC(2022, 0, 1);
  let batch: ReportRow[] = [];
  let made = 0;
  for (let v = 0; v < versions; v++) {
    const projectVersion = versionAt(v);
    const versionKey = parseVersion(projectVersion)!.key;
    for (let s = 0; s < slots && made < totalReports; s++) {
      if ((s + v) % slots === 0 || (s + v + 26) % slots === 0) continue;
      const [reportType, reportVersion] = REPORT_KINDS[s % REPORT_KINDS.length]!;
      const analysedAt = start + Math.floor(next() * 3 * 365 * 86_400_000);
      batch.push({
        id: crypto.randomUUID(),
        org_id: orgId,
        project_name: PROJECTS[Math.floor(s / REPORT_KINDS.length)]!,
        project_version: projectVersion,
        version_key: versionKey,
        report_type: reportType,
        report_version: reportVersion,
        date: new Date(analysedAt).toISOString(),
        date_ms: analysedAt,
        uploaded_at: analysedAt + Math.floor(next() * 3_600_000),
        vulnerabilities_count: Math.floor(next() * next() * 120),
        security_rating: RATINGS[Math.floor(next() * RATINGS.length)]!,
      });
      made++;
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
