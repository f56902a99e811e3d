import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ReportChange, ReportChangeHook } from './report-hooks.js';

/** Who caused a change and from where, passed on to the hooks (the audit log records both). */
export type ChangeSource = Pick<ReportChange, 'actor' | 'address'>;
import type { ReportMetadata } from './report-input.js';
import { toListItem, toReportFile, type ReportFile, type ReportListItem, type ReportWithFiles } from './report-model.js';
import type { FindingRecord, FindingsDelta } from '../findings/finding-model.js';
import { deleteFindings, findingsDeltaOf, replaceFindings } from '../findings/finding-store.js';

export interface ReportToStore {
  metadata: ReportMetadata;
  files: ReportFile[];
  /** Id for a new report (demo data, migrations); ignored when the identity already exists. */
  id?: string;
  /** The report's findings; a replaced report's findings are replaced too (none given: none kept). */
  findings?: Iterable<FindingRecord> | AsyncIterable<FindingRecord>;
}

export interface StoredReport {
  report: ReportWithFiles;
  created: boolean;
  /** For a created report: open findings new and fixed against the previous version. */
  findingsDelta?: FindingsDelta;
}

/**
 * Stores reports in one transaction: each is created, or, when its identity (organisation,
 * projectName, version precedence, reportType, reportVersion) exists, replaced whole while keeping
 * its id. Hooks see one change per kind (created, updated) carrying every report of that kind.
 * Blobs must already be in the blob store: a committed row never names a missing file.
 */
export async function storeReports(
  db: Kysely<Database>,
  hooks: readonly ReportChangeHook[],
  input: { orgId: string; reports: ReportToStore[]; initiator: string; now?: number; source?: ChangeSource },
): Promise<StoredReport[]> {
  const now = input.now ?? Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        const stored: StoredReport[] = [];
        for (const report of input.reports) stored.push(await upsertOne(trx, input.orgId, report, now));
        await bumpReportsRevision(trx, input.orgId);
        await runHooks(trx, hooks, input.orgId, stored, input.initiator, now, input.source);
        return stored;
      });
    } catch (error) {
      // Two uploads of a new identity raced and one lost on the unique index: run again as update.
      if (attempt < 3 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

async function upsertOne(trx: Transaction<Database>, orgId: string, { metadata: m, files, id, findings }: ReportToStore, now: number): Promise<StoredReport> {
  const existing = await trx
    .selectFrom('reports')
    .select('id')
    .where('org_id', '=', orgId)
    .where('project_name', '=', m.projectName)
    .where('version_key', '=', m.versionKey)
    .where('report_type', '=', m.reportType)
    .where('report_version', '=', m.reportVersion)
    .executeTakeFirst();
  const row: Database['reports'] = {
    id: existing?.id ?? id ?? crypto.randomUUID(),
    org_id: orgId,
    project_name: m.projectName,
    project_version: m.projectVersion,
    version_key: m.versionKey,
    report_type: m.reportType,
    report_version: m.reportVersion,
    date: m.date,
    date_ms: m.dateMs,
    uploaded_at: now,
    vulnerabilities_count: m.vulnerabilitiesCount,
    security_rating: m.securityRating,
  };
  if (existing) {
    const { id: _id, org_id: _org, ...changes } = row;
    await trx.updateTable('reports').set(changes).where('id', '=', row.id).execute();
    await trx.deleteFrom('report_files').where('report_id', '=', row.id).execute();
  } else {
    await trx.insertInto('reports').values(row).execute();
  }
  if (files.length > 0) {
    await trx
      .insertInto('report_files')
      .values(files.map((f) => ({ report_id: row.id, kind: f.kind, file_name: f.fileName, media_type: f.mediaType, size: f.size, sha256: f.sha256, blob_key: f.blobKey })))
      .execute();
  }
  const owner = { reportId: row.id, orgId, projectName: m.projectName, projectVersion: m.projectVersion, versionKey: m.versionKey, reportType: m.reportType };
  await replaceFindings(trx, owner, findings ?? []);
  const report = { ...toListItem(row), organizationId: orgId, files };
  return existing ? { report, created: false } : { report, created: true, findingsDelta: await findingsDeltaOf(trx, owner) };
}

async function runHooks(
  trx: Transaction<Database>,
  hooks: readonly ReportChangeHook[],
  orgId: string,
  stored: StoredReport[],
  initiator: string,
  at: number,
  source: ChangeSource = {},
): Promise<void> {
  const created = stored.filter((s) => s.created).map((s) => listItemOf(s.report));
  const updated = stored.filter((s) => !s.created).map((s) => listItemOf(s.report));
  const changes: ReportChange[] = [];
  const findingsDelta = Object.fromEntries(stored.flatMap((s) => (s.findingsDelta ? [[s.report.id, s.findingsDelta]] : [])));
  if (created.length) changes.push({ type: 'report.created', orgId, reports: created, initiator, at, findingsDelta, ...source });
  if (updated.length) changes.push({ type: 'report.updated', orgId, reports: updated, initiator, at, ...source });
  for (const change of changes) for (const hook of hooks) await hook(trx, change);
}

function listItemOf(report: ReportWithFiles): ReportListItem {
  const { organizationId: _o, files: _f, ...item } = report;
  return item;
}

export async function deleteReport(
  db: Kysely<Database>,
  hooks: readonly ReportChangeHook[],
  input: { orgId: string; reportId: string; initiator: string; now?: number; source?: ChangeSource },
): Promise<ReportListItem | undefined> {
  const at = input.now ?? Date.now();
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('reports').selectAll().where('id', '=', input.reportId).where('org_id', '=', input.orgId).executeTakeFirst();
    if (!row) return undefined;
    await trx.deleteFrom('report_files').where('report_id', '=', row.id).execute();
    await deleteFindings(trx, row.id);
    await trx.deleteFrom('reports').where('id', '=', row.id).execute();
    await bumpReportsRevision(trx, input.orgId);
    const item = toListItem(row);
    for (const hook of hooks) await hook(trx, { type: 'report.deleted', orgId: input.orgId, reports: [item], initiator: input.initiator, at, ...input.source });
    return item;
  });
}

/** Reports of one organisation by id, with their files; ids of other organisations are absent. */
export async function findReportsWithFiles(db: Kysely<Database>, orgId: string, ids: readonly string[]): Promise<ReportWithFiles[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('reports').selectAll().where('org_id', '=', orgId).where('id', 'in', [...ids]).execute();
  if (rows.length === 0) return [];
  const fileRows = await db.selectFrom('report_files').selectAll().where('report_id', 'in', rows.map((r) => r.id)).orderBy('kind').execute();
  const byId = new Map(rows.map((r) => [r.id, { ...toListItem(r), organizationId: orgId, files: [] as ReportFile[] }]));
  for (const f of fileRows) byId.get(f.report_id)?.files.push(toReportFile(f));
  // Keep the caller's order: the archive lists reports as they were asked for.
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Every report change moves the organisation's revision, in the same transaction as the change. */
async function bumpReportsRevision(trx: Transaction<Database>, orgId: string): Promise<void> {
  await trx.updateTable('organizations').set((eb) => ({ reports_revision: eb('reports_revision', '+', 1) })).where('id', '=', orgId).execute();
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(e?.message ?? '');
}
