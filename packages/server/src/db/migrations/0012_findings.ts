import type { Kysely } from 'kysely';
import { byteOrderedText } from '../dialect-sql.js';

/**
 * Findings as data (findings/schema.ts). A report's findings are rows keyed by (report, seq),
 * written and removed in the report's own transaction. The report's identity columns are copied
 * onto each row so the cross-version reads (search, diff, trends) are range scans on one index
 * without a join. CWE membership is a row per (finding, CWE): "which versions still contain
 * CWE-89" walks `finding_cwes_search` in version order and stops after one page.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ordered = byteOrderedText(db);
  await db.schema
    .createTable('report_findings')
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('project_name', 'text', (c) => ordered(c.notNull()))
    .addColumn('project_version', 'text', (c) => c.notNull())
    .addColumn('version_key', 'text', (c) => ordered(c.notNull()))
    .addColumn('report_type', 'text', (c) => ordered(c.notNull()))
    .addColumn('fingerprint', 'text', (c) => ordered(c.notNull()))
    .addColumn('rule_id', 'text', (c) => ordered(c.notNull()))
    .addColumn('rule_name', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => ordered(c))
    .addColumn('line', 'integer')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('cwe', 'text', (c) => c.notNull())
    .addColumn('owasp', 'text', (c) => c.notNull())
    .addColumn('fingerprints', 'text')
    .addPrimaryKeyConstraint('report_findings_pk', ['report_id', 'seq'])
    .execute();
  // Diff and trends: one product's versions; search without a CWE walks versions in order.
  await db.schema.createIndex('report_findings_product').on('report_findings').columns(['org_id', 'project_name', 'version_key', 'report_type']).execute();
  await db.schema.createIndex('report_findings_version').on('report_findings').columns(['org_id', 'version_key', 'project_name', 'report_id', 'seq']).execute();
  await db.schema.createIndex('report_findings_rule').on('report_findings').columns(['org_id', 'rule_id', 'version_key', 'project_name', 'report_id', 'seq']).execute();

  await db.schema
    .createTable('finding_cwes')
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('cwe', 'integer', (c) => c.notNull())
    .addColumn('project_name', 'text', (c) => ordered(c.notNull()))
    .addColumn('version_key', 'text', (c) => ordered(c.notNull()))
    .addColumn('status', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_cwes_pk', ['report_id', 'seq', 'cwe'])
    .execute();
  await db.schema.createIndex('finding_cwes_search').on('finding_cwes').columns(['org_id', 'cwe', 'version_key', 'project_name', 'report_id', 'seq']).execute();
  await db.schema.createIndex('finding_cwes_product').on('finding_cwes').columns(['org_id', 'project_name', 'cwe', 'version_key', 'report_id', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('finding_cwes').execute();
  await db.schema.dropTable('report_findings').execute();
}
