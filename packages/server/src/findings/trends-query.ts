import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { FINDING_SEVERITIES } from './finding-model.js';
import { owaspLabels } from './finding-view.js';
import './schema.js';

export interface VersionTrend {
  projectVersion: string;
  /** The latest analysis date among the version's reports (ISO 8601), for plotting over time. */
  date: string;
  /** Open findings, each fingerprint counted once. */
  total: number;
  bySeverity: Record<string, number>;
  /** OWASP Top 10 2021 category → open findings; a finding counts in each of its categories. */
  byCategory: Record<string, number>;
}

/**
 * Open findings of one product per version, in semver order: totals, by severity and by OWASP
 * category. Counted in the database (grouped by version, severity and category list), so the
 * answer is one row per combination, not one per finding.
 */
export async function findingTrends(
  db: Kysely<Database>,
  input: { orgId: string; projectName: string; reportType?: string | undefined; minKey?: string | undefined; maxKey?: string | undefined },
): Promise<VersionTrend[]> {
  let versions = db
    .selectFrom('reports')
    .select(['version_key', sql<string>`max(project_version)`.as('project_version'), sql<number>`max(date_ms)`.as('date_ms')])
    .where('org_id', '=', input.orgId)
    .where('project_name', '=', input.projectName);
  if (input.reportType !== undefined) versions = versions.where('report_type', '=', input.reportType);
  if (input.minKey !== undefined) versions = versions.where('version_key', '>=', input.minKey);
  if (input.maxKey !== undefined) versions = versions.where('version_key', '<=', input.maxKey);
  const versionRows = await versions.groupBy('version_key').orderBy('version_key').execute();

  let counts = db
    .selectFrom('report_findings')
    .select(['version_key', 'severity', 'owasp', sql<number>`count(distinct fingerprint)`.as('n')])
    .where('org_id', '=', input.orgId)
    .where('project_name', '=', input.projectName)
    .where('status', '=', 'open');
  if (input.reportType !== undefined) counts = counts.where('report_type', '=', input.reportType);
  if (input.minKey !== undefined) counts = counts.where('version_key', '>=', input.minKey);
  if (input.maxKey !== undefined) counts = counts.where('version_key', '<=', input.maxKey);
  const countRows = await counts.groupBy(['version_key', 'severity', 'owasp']).execute();
  // Totals count each fingerprint once even when two rows (report types, severities) hold it.
  let totals = db
    .selectFrom('report_findings')
    .select(['version_key', sql<number>`count(distinct fingerprint)`.as('n')])
    .where('org_id', '=', input.orgId)
    .where('project_name', '=', input.projectName)
    .where('status', '=', 'open');
  if (input.reportType !== undefined) totals = totals.where('report_type', '=', input.reportType);
  const totalByVersion = new Map((await totals.groupBy('version_key').execute()).map((r) => [r.version_key, Number(r.n)]));

  const trends = new Map<string, VersionTrend>();
  for (const v of versionRows) {
    trends.set(v.version_key, {
      projectVersion: v.project_version,
      date: new Date(Number(v.date_ms)).toISOString(),
      total: totalByVersion.get(v.version_key) ?? 0,
      bySeverity: Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, 0])),
      byCategory: {},
    });
  }
  for (const row of countRows) {
    const trend = trends.get(row.version_key);
    if (!trend) continue;
    const n = Number(row.n);
    trend.bySeverity[row.severity] = (trend.bySeverity[row.severity] ?? 0) + n;
    for (const category of owaspLabels(row.owasp)) trend.byCategory[category] = (trend.byCategory[category] ?? 0) + n;
  }
  return [...trends.values()];
}
