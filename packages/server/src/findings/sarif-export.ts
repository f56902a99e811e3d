import crypto from 'node:crypto';
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

/** A generated export: small ones are kept in memory, larger ones in a staging file. */
export type GeneratedFile = { size: number; sha256: string } & ({ bytes: Buffer } | { path: string; head: Buffer });

/**
 * What one archive may hold in memory of its SARIF exports in all. A report without findings
 * exports about a kilobyte: keeping that in memory spares every download a staging file (mkdir,
 * create, write, read back, unlink); past the budget exports go to disk, so memory stays bounded
 * whatever the archive's size.
 */
export const SARIF_IN_MEMORY_BUDGET = 1024 * 1024;

/**
 * Each report's SARIF export, complete before the archive starts, so the archive knows its size
 * and SHA-256 before the first byte (the manifest is signed up front). Read into memory while the
 * archive's budget lasts, otherwise staged to disk; the caller discards them with `discardGenerated`.
 */
export async function stageSarifExports(
  db: Kysely<Database>,
  stage: (source: Readable) => Promise<StagedFile>,
  reports: readonly SarifExportSource[],
  inMemoryBudget = SARIF_IN_MEMORY_BUDGET,
): Promise<Map<string, GeneratedFile>> {
  const staged = new Map<string, GeneratedFile>();
  let budget = inMemoryBudget;
  try {
    for (const report of reports) {
      const file = await bufferOrStage(await sarifExportStream(db, report), budget, stage);
      if ('bytes' in file) budget -= file.size;
      staged.set(report.reportId, file);
    }
    return staged;
  } catch (error) {
    await Promise.all([...staged.values()].map(discardGenerated));
    throw error;
  }
}

/** Reads `source` into memory up to `limit` bytes; a longer one continues into a staging file. */
async function bufferOrStage(source: Readable, limit: number, stage: (source: Readable) => Promise<StagedFile>): Promise<GeneratedFile> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator: AsyncIterator<Buffer> = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      const bytes = Buffer.concat(chunks, size);
      return { bytes, size, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) break;
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* chunks;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return stage(Readable.from(rest(), { objectMode: false }));
}

export async function discardGenerated(file: GeneratedFile | undefined): Promise<void> {
  if (file && 'path' in file) await discardStaged(file);
}
