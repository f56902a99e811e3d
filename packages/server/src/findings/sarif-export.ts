import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { StagedFile } from '../blobs/blob-store.js';
import { discardStaged } from '../blobs/staging.js';
import { uniqueSorted } from './finding-model.js';
import { readReportFindings } from './finding-store.js';
import { writeSarif, type ExportRule, type SarifExportSource } from './sarif/write-sarif.js';
import './schema.js';

/** The rules a report's findings name, with the CWE and OWASP ids seen on each. */
async function rulesOf(db: Kysely<Database>, reportId: string): Promise<ExportRule[]> {
  const rows = await db
    .selectFrom('report_findings')
    .select(['rule_id', 'rule_name', 'cwe', 'owasp'])
    .distinct()
    .where('report_id', '=', reportId)
    .orderBy('rule_id')
    .execute();
  const byId = new Map<string, { name: string | null; cwe: number[]; owasp: string[] }>();
  for (const row of rows) {
    const rule = byId.get(row.rule_id) ?? { name: row.rule_name, cwe: [], owasp: [] };
    rule.name ??= row.rule_name;
    if (row.cwe !== '') rule.cwe.push(...row.cwe.split(',').map(Number));
    if (row.owasp !== '') rule.owasp.push(...row.owasp.split(','));
    byId.set(row.rule_id, rule);
  }
  return [...byId].map(([id, r]) => ({ id, name: r.name, cwe: uniqueSorted(r.cwe), owasp: uniqueSorted(r.owasp) }));
}

/** A report's findings as a SARIF 2.1.0 stream (rules read first, results a page at a time). */
export async function sarifExportStream(db: Kysely<Database>, source: SarifExportSource): Promise<Readable> {
  const rules = await rulesOf(db, source.reportId);
  return Readable.from(writeSarif(source, rules, readReportFindings(db, source.reportId)), { objectMode: false });
}

/**
 * Each report's SARIF export written to a staging file first, so the archive knows its size and
 * SHA-256 before the first byte (the manifest is signed up front). The caller discards the files.
 */
export async function stageSarifExports(
  db: Kysely<Database>,
  stage: (source: Readable) => Promise<StagedFile>,
  reports: readonly SarifExportSource[],
): Promise<Map<string, StagedFile>> {
  const staged = new Map<string, StagedFile>();
  try {
    for (const report of reports) staged.set(report.reportId, await stage(await sarifExportStream(db, report)));
    return staged;
  } catch (error) {
    await Promise.all([...staged.values()].map(discardStaged));
    throw error;
  }
}
