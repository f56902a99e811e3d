import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { FindingKind, FindingRecord, FindingSeverity, FindingStatus, FindingsDelta } from './finding-model.js';
import type { ReportFindingsTable } from './schema.js';
import './schema.js';

/** The report a set of findings belongs to: its id and the identity columns copied onto each row. */
export interface FindingsOwner {
  reportId: string;
  orgId: string;
  projectName: string;
  projectVersion: string;
  versionKey: string;
  reportType: string;
}

/** Rows per INSERT: 19 columns × 500 stays far below SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 500;

/**
 * Replaces a report's findings: call inside the report's transaction, so a report and its
 * findings commit or roll back together (nothing half-stored, no findings of a replaced upload).
 * Findings are read as they are stored, a batch at a time: a source that streams them (a SARIF
 * upload's staged findings) is never held whole.
 */
export async function replaceFindings(trx: Transaction<Database>, owner: FindingsOwner, findings: Iterable<FindingRecord> | AsyncIterable<FindingRecord>): Promise<void> {
  await deleteFindings(trx, owner.reportId);
  let rows: ReportFindingsTable[] = [];
  let seq = 0;
  for await (const finding of findings) {
    rows.push(toRow(owner, seq++, finding));
    if (rows.length === BATCH) {
      await insertRows(trx, rows);
      rows = [];
    }
  }
  if (rows.length > 0) await insertRows(trx, rows);
}

export async function deleteFindings(trx: Transaction<Database>, reportId: string): Promise<void> {
  await trx.deleteFrom('finding_cwes').where('report_id', '=', reportId).execute();
  await trx.deleteFrom('report_findings').where('report_id', '=', reportId).execute();
}

async function insertRows(trx: Transaction<Database>, rows: ReportFindingsTable[]): Promise<void> {
  await trx.insertInto('report_findings').values(rows).execute();
  const cweRows = rows.flatMap((r) =>
    r.cwe === '' ? [] : r.cwe.split(',').map((cwe) => ({ report_id: r.report_id, seq: r.seq, org_id: r.org_id, cwe: Number(cwe), project_name: r.project_name, version_key: r.version_key, status: r.status })),
  );
  for (let i = 0; i < cweRows.length; i += BATCH * 2) await trx.insertInto('finding_cwes').values(cweRows.slice(i, i + BATCH * 2)).execute();
}

function toRow(owner: FindingsOwner, seq: number, f: FindingRecord): ReportFindingsTable {
  return {
    report_id: owner.reportId,
    seq,
    org_id: owner.orgId,
    project_name: owner.projectName,
    project_version: owner.projectVersion,
    version_key: owner.versionKey,
    report_type: owner.reportType,
    fingerprint: f.fingerprint,
    rule_id: f.ruleId,
    rule_name: f.ruleName,
    kind: f.kind,
    severity: f.severity,
    status: f.status,
    file: f.file,
    line: f.line,
    message: f.message,
    cwe: f.cwe.join(','),
    owasp: f.owasp.join(','),
    fingerprints: f.partialFingerprints ? JSON.stringify(f.partialFingerprints) : null,
  };
}

export function fromRow(row: ReportFindingsTable): FindingRecord {
  return {
    fingerprint: row.fingerprint,
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    kind: row.kind as FindingKind,
    severity: row.severity as FindingSeverity,
    status: row.status as FindingStatus,
    file: row.file,
    line: row.line === null ? null : Number(row.line),
    message: row.message,
    cwe: row.cwe === '' ? [] : row.cwe.split(',').map(Number),
    owasp: row.owasp === '' ? [] : row.owasp.split(','),
    partialFingerprints: row.fingerprints ? (JSON.parse(row.fingerprints) as Record<string, string>) : null,
  };
}

/** A report's findings in stored order, a page at a time (the SARIF export streams them). */
export async function* readReportFindings(db: Kysely<Database>, reportId: string, pageSize = 1000): AsyncGenerator<FindingRecord> {
  let after = -1;
  for (;;) {
    const rows = await db.selectFrom('report_findings').selectAll().where('report_id', '=', reportId).where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
    for (const row of rows) yield fromRow(row);
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/**
 * Open findings new and fixed in a report against the previous version (semver order) of the same
 * product and report type. Reads inside the caller's transaction, so it sees the rows just written.
 * The two sets are compared by the database (EXCEPT), so a report of any size costs no memory here.
 */
export async function findingsDeltaOf(trx: Transaction<Database>, owner: FindingsOwner): Promise<FindingsDelta> {
  const previous = await trx
    .selectFrom('reports')
    .select(['version_key', 'project_version'])
    .where('org_id', '=', owner.orgId)
    .where('project_name', '=', owner.projectName)
    .where('report_type', '=', owner.reportType)
    .where('version_key', '<', owner.versionKey)
    .orderBy('version_key', 'desc')
    .limit(1)
    .executeTakeFirst();
  const current = trx.selectFrom('report_findings').select('fingerprint').where('report_id', '=', owner.reportId).where('status', '=', 'open');
  if (!previous) return { new: await countDistinct(trx, current), fixed: 0, previousVersion: null };
  const before = openFingerprintsQuery(trx, owner.orgId, owner.projectName, previous.version_key, owner.reportType);
  return {
    new: await countDistinct(trx, current.except(before)),
    fixed: await countDistinct(trx, before.except(current)),
    previousVersion: previous.project_version,
  };
}

type FingerprintQuery = SelectQueryBuilder<Database, 'report_findings', { fingerprint: string }>;

/** Rows of a fingerprint query, each fingerprint once (EXCEPT already gives each once; DISTINCT for the plain set). */
async function countDistinct(trx: Transaction<Database>, fingerprints: FingerprintQuery): Promise<number> {
  const row = await trx.selectFrom(fingerprints.as('s')).select((eb) => eb.fn.count<number>('s.fingerprint').distinct().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function openFingerprintsQuery(db: Kysely<Database>, orgId: string, projectName: string, versionKey: string, reportType: string | undefined): FingerprintQuery {
  let query = db
    .selectFrom('report_findings')
    .select('fingerprint')
    .where('org_id', '=', orgId)
    .where('project_name', '=', projectName)
    .where('version_key', '=', versionKey)
    .where('status', '=', 'open');
  if (reportType !== undefined) query = query.where('report_type', '=', reportType);
  return query;
}

export async function openFingerprintsOfVersion(db: Kysely<Database>, orgId: string, projectName: string, versionKey: string, reportType: string | undefined): Promise<Set<string>> {
  return new Set((await openFingerprintsQuery(db, orgId, projectName, versionKey, reportType).execute()).map((r) => r.fingerprint));
}
