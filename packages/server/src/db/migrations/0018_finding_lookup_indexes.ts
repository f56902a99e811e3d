import { sql, type Kysely } from 'kysely';

/**
 * Two lookups on findings (findings/schema.ts) that 0012's indexes answer only by scanning:
 * - `report_findings_fingerprint`: the diff asks, per finding of one version, whether its
 *   fingerprint is open in the other version: one index probe instead of a scan of that version.
 * - `report_findings_place`: a diff list's page in place order (file, line, rule, fingerprint;
 *   no file or line sorts as '' and 0) is a walk of this index that stops after the page, not a
 *   sort of the whole version.
 * - `report_findings_file`: search by a file path (or the start of one) reads just the matching
 *   paths as a range, then orders those by version; without it the search walks every finding of
 *   the organisation in version order to find a few in one directory.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('report_findings_fingerprint')
    .on('report_findings')
    .columns(['org_id', 'project_name', 'version_key', 'fingerprint', 'status', 'report_type'])
    .execute();
  await db.schema
    .createIndex('report_findings_place')
    .on('report_findings')
    .columns(['org_id', 'project_name', 'version_key'])
    .expression(sql`coalesce(file, '')`)
    .expression(sql`coalesce(line, 0)`)
    .columns(['rule_id', 'fingerprint'])
    .execute();
  await db.schema
    .createIndex('report_findings_file')
    .on('report_findings')
    .columns(['org_id', 'file', 'version_key', 'project_name', 'report_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('report_findings_file').execute();
  await db.schema.dropIndex('report_findings_place').execute();
  await db.schema.dropIndex('report_findings_fingerprint').execute();
}
