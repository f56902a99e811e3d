import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { FINDING_VIEW_COLUMNS, toFindingView, type FindingView } from './finding-view.js';
import './schema.js';

export interface DiffCounts {
  new: number;
  fixed: number;
  unchanged: number;
}

export interface FindingsDiff {
  new: FindingView[];
  fixed: FindingView[];
  unchanged: FindingView[];
  counts: DiffCounts;
  /** Per CWE ("CWE-89") and per OWASP Top 10 2021 category ("A03"): a finding counts in each of its ids. */
  byCwe: Record<string, DiffCounts>;
  byCategory: Record<string, DiffCounts>;
}

/** Whether a product has any report at a version (of a type, when given). */
export async function hasReportAt(db: Kysely<Database>, orgId: string, projectName: string, versionKey: string, reportType: string | undefined): Promise<boolean> {
  let query = db.selectFrom('reports').select('id').where('org_id', '=', orgId).where('project_name', '=', projectName).where('version_key', '=', versionKey);
  if (reportType !== undefined) query = query.where('report_type', '=', reportType);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** Open findings of one product version, one per fingerprint (two report types of a SonarQube import hold the same ones). */
async function openFindingsAt(db: Kysely<Database>, orgId: string, projectName: string, versionKey: string, reportType: string | undefined): Promise<Map<string, FindingView>> {
  let query = db
    .selectFrom('report_findings')
    .select(FINDING_VIEW_COLUMNS)
    .where('org_id', '=', orgId)
    .where('project_name', '=', projectName)
    .where('version_key', '=', versionKey)
    .where('status', '=', 'open');
  if (reportType !== undefined) query = query.where('report_type', '=', reportType);
  const rows = await query.orderBy('report_type').orderBy('report_id').orderBy('seq').execute();
  const byFingerprint = new Map<string, FindingView>();
  for (const row of rows) if (!byFingerprint.has(row.fingerprint)) byFingerprint.set(row.fingerprint, toFindingView(row));
  return byFingerprint;
}

/**
 * What changed between two versions of a product, by fingerprint over open findings: new (open in
 * `to` only), fixed (open in `from` only, whatever `to` says of it), unchanged (open in both, as
 * `to` shows it). Lists are ordered by file, line and rule.
 */
export async function diffFindings(db: Kysely<Database>, input: { orgId: string; projectName: string; fromKey: string; toKey: string; reportType?: string | undefined }): Promise<FindingsDiff> {
  const before = await openFindingsAt(db, input.orgId, input.projectName, input.fromKey, input.reportType);
  const after = await openFindingsAt(db, input.orgId, input.projectName, input.toKey, input.reportType);
  const diff: FindingsDiff = { new: [], fixed: [], unchanged: [], counts: zero(), byCwe: {}, byCategory: {} };
  const add = (bucket: keyof DiffCounts, finding: FindingView) => {
    diff[bucket].push(finding);
    diff.counts[bucket] += 1;
    for (const id of finding.cwe) (diff.byCwe[id] ??= zero())[bucket] += 1;
    for (const id of finding.owasp) (diff.byCategory[id] ??= zero())[bucket] += 1;
  };
  for (const [fingerprint, finding] of after) add(before.has(fingerprint) ? 'unchanged' : 'new', finding);
  for (const [fingerprint, finding] of before) if (!after.has(fingerprint)) add('fixed', finding);
  for (const list of [diff.new, diff.fixed, diff.unchanged]) list.sort(byPlace);
  return diff;
}

const zero = (): DiffCounts => ({ new: 0, fixed: 0, unchanged: 0 });
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byPlace = (a: FindingView, b: FindingView) =>
  compare(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || compare(a.ruleId, b.ruleId) || compare(a.fingerprint, b.fingerprint);
