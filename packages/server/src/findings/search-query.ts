import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invalidParameter } from '../http/errors.js';
import { isPostgres } from '../db/dialect-sql.js';
import { toFindingView, type FindingView } from './finding-view.js';
import './schema.js';

export interface FindingSearch {
  orgId: string;
  cwe?: number | undefined;
  ruleId?: string | undefined;
  /** A path or the start of one. */
  file?: string | undefined;
  projectName?: string | undefined;
  reportType?: string | undefined;
  minKey?: string | undefined;
  maxKey?: string | undefined;
  status?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface VersionGroup {
  projectName: string;
  projectVersion: string;
  findings: FindingView[];
}

type CursorTuple = [versionKey: string, projectName: string, reportId: string, seq: number];

const encodeCursor = (t: CursorTuple) => Buffer.from(JSON.stringify(t)).toString('base64url');

function decodeCursor(cursor: string): CursorTuple {
  try {
    const t = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(t) && t.length === 4 && typeof t[0] === 'string' && typeof t[1] === 'string' && typeof t[2] === 'string' && Number.isSafeInteger(t[3])) {
      return t as CursorTuple;
    }
  } catch {
    /* fall through to the error below */
  }
  throw invalidParameter('cursor is not a cursor returned by this API');
}

/**
 * Findings matching a search, in version order (semver precedence), then product, report and
 * position: a total order, so keyset pagination never skips or repeats one. The scan walks one
 * index in that order and stops after a page (limit + 1 rows): with a CWE, finding_cwes_search
 * (or finding_cwes_product for one product); with a rule, report_findings_rule; else
 * report_findings_version. A page costs what its rows cost, not what the table holds.
 */
export async function searchFindings(db: Kysely<Database>, s: FindingSearch): Promise<{ groups: VersionGroup[]; nextCursor: string | null }> {
  const rows = await searchQuery(db, s).execute();
  let nextCursor: string | null = null;
  if (rows.length > s.limit) {
    rows.length = s.limit;
    const last = rows[rows.length - 1]!;
    nextCursor = encodeCursor([last.version_key, last.project_name, last.report_id, Number(last.seq)]);
  }
  const groups: (VersionGroup & { key: string })[] = [];
  let current: (VersionGroup & { key: string }) | undefined;
  for (const row of rows) {
    if (!current || current.key !== row.version_key || current.projectName !== row.project_name) {
      current = { key: row.version_key, projectName: row.project_name, projectVersion: row.project_version, findings: [] };
      groups.push(current);
    }
    current.findings.push(toFindingView(row));
  }
  return { groups: groups.map(({ key: _key, ...group }) => group), nextCursor };
}

/** The page's query (limit + 1 rows), unexecuted: the benchmark prints its plan. */
export function searchQuery(db: Kysely<Database>, s: FindingSearch) {
  const after = s.cursor === undefined ? undefined : decodeCursor(s.cursor);
  // Keys of the walk: from finding_cwes when a CWE alone is asked for, else from the findings
  // themselves. With a rule too, the walk takes the rule's index and checks the CWE by primary key:
  // a rule's findings share its CWEs, so that walk stops after about a page, where walking the
  // CWE and filtering the rule reads every finding of the CWE.
  const k = s.cwe !== undefined && s.ruleId === undefined ? 'c' : 'f';
  // SQLite has no statistics (nothing runs ANALYZE) and, given a rule and a product, walks the
  // product index and sorts each version's findings. A unary `+` makes the product unusable as an
  // index key there, so it walks report_findings_rule, which holds the product, in order.
  const productUnindexed = s.ruleId !== undefined && !isPostgres(db);
  const col = (name: 'version_key' | 'project_name' | 'status' | 'report_id' | 'seq') => sql.ref<string>(`${k}.${name}`);
  let query = db
    .selectFrom('report_findings as f')
    .select(['f.report_id', 'f.report_type', 'f.fingerprint', 'f.rule_id', 'f.rule_name', 'f.kind', 'f.severity', 'f.status', 'f.file', 'f.line', 'f.message', 'f.cwe', 'f.owasp', 'f.seq', 'f.version_key', 'f.project_name', 'f.project_version']);
  if (k === 'c') {
    query = query
      .innerJoin('finding_cwes as c', (join) => join.onRef('c.report_id', '=', 'f.report_id').onRef('c.seq', '=', 'f.seq'))
      .where('c.org_id', '=', s.orgId)
      .where('c.cwe', '=', s.cwe!);
  } else {
    query = query.where('f.org_id', '=', s.orgId);
    if (s.cwe !== undefined) {
      const cwe = s.cwe;
      query = query.where((eb) => eb.exists(eb.selectFrom('finding_cwes as c').select('c.seq').whereRef('c.report_id', '=', 'f.report_id').whereRef('c.seq', '=', 'f.seq').where('c.cwe', '=', cwe)));
    }
  }
  if (s.minKey !== undefined) query = query.where(col('version_key'), '>=', s.minKey);
  if (s.maxKey !== undefined) query = query.where(col('version_key'), '<=', s.maxKey);
  if (s.projectName !== undefined) query = query.where(productUnindexed ? sql<string>`+${col('project_name')}` : col('project_name'), '=', s.projectName);
  if (s.status !== undefined) query = query.where(col('status'), '=', s.status);
  if (s.ruleId !== undefined) query = query.where('f.rule_id', '=', s.ruleId);
  if (s.reportType !== undefined) query = query.where('f.report_type', '=', s.reportType);
  // A prefix as a range (not LIKE): byte-ordered on both engines, no wildcard escaping.
  if (s.file !== undefined) query = query.where('f.file', '>=', s.file).where('f.file', '<', `${s.file}\u{10FFFF}`);
  if (after) {
    const [vk, pn, rid, seq] = after;
    query = query.where(sql<boolean>`(${col('version_key')}, ${col('project_name')}, ${col('report_id')}, ${col('seq')}) > (${vk}, ${pn}, ${rid}, ${seq})`);
  }
  return query
    .orderBy(col('version_key'))
    .orderBy(col('project_name'))
    .orderBy(col('report_id'))
    .orderBy(col('seq'))
    .limit(s.limit + 1);
}
