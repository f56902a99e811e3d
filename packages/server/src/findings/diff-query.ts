import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invalidParameter } from '../http/errors.js';
import { FINDING_VIEW_COLUMNS, cweLabels, owaspLabels, toFindingView, type FindingView } from './finding-view.js';
import './schema.js';

export const DIFF_LISTS = ['new', 'fixed', 'unchanged'] as const;
export type DiffList = (typeof DIFF_LISTS)[number];

export type DiffCounts = Record<DiffList, number>;

export interface FindingsDiff {
  new: FindingView[];
  fixed: FindingView[];
  unchanged: FindingView[];
  /** Where each list continues (a cursor for the next page of that list), null at its end. */
  nextCursor: Record<DiffList, string | null>;
  /** Always over the whole diff, whatever page the lists show. */
  counts: DiffCounts;
  /** Per CWE ("CWE-89") and per OWASP Top 10 2021 category ("A03"): a finding counts in each of its ids. */
  byCwe: Record<string, DiffCounts>;
  byCategory: Record<string, DiffCounts>;
}

export interface DiffInput {
  orgId: string;
  projectName: string;
  fromKey: string;
  toKey: string;
  reportType?: string | undefined;
  /** Findings per list and page. */
  limit: number;
  /** A nextCursor of an earlier answer: that list's next page only (the other two lists come back empty). */
  cursor?: string | undefined;
}

/** Whether a product has any report at a version (of a type, when given). */
export async function hasReportAt(db: Kysely<Database>, orgId: string, projectName: string, versionKey: string, reportType: string | undefined): Promise<boolean> {
  let query = db.selectFrom('reports').select('id').where('org_id', '=', orgId).where('project_name', '=', projectName).where('version_key', '=', versionKey);
  if (reportType !== undefined) query = query.where('report_type', '=', reportType);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

/** A list's position: the list, then the sort key of its last finding shown (file, line, rule, fingerprint). */
type DiffCursor = [list: DiffList, file: string, line: number, ruleId: string, fingerprint: string];

const encodeCursor = (c: DiffCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(cursor: string): DiffCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(c) && c.length === 5 && (DIFF_LISTS as readonly unknown[]).includes(c[0]) &&
      typeof c[1] === 'string' && Number.isSafeInteger(c[2]) && typeof c[3] === 'string' && typeof c[4] === 'string'
    ) {
      return c as DiffCursor;
    }
  } catch {
    /* fall through to the error below */
  }
  throw invalidParameter('cursor is not a cursor returned by this API');
}

/**
 * Open findings of one product version, one row per fingerprint (two report types of a SonarQube
 * import hold the same ones): the first copy by report type, report and position. "No earlier
 * copy" is one probe of report_findings_fingerprint (migration 0018) per finding, so the version
 * is read once, in no particular order, with no sort.
 */
function openAt(db: Kysely<Database>, input: DiffInput, versionKey: string) {
  let query = db
    .selectFrom('report_findings as f')
    .where('f.org_id', '=', input.orgId)
    .where('f.project_name', '=', input.projectName)
    .where('f.version_key', '=', versionKey)
    .where('f.status', '=', 'open');
  if (input.reportType !== undefined) query = query.where('f.report_type', '=', input.reportType);
  return query.where((eb) => eb.not(eb.exists(openCopies(eb, input, versionKey).where(sql<boolean>`(d.report_type, d.report_id, d.seq) < (f.report_type, f.report_id, f.seq)`))));
}

/** Open rows of `f`'s fingerprint at a version (as `d`): a lookup on report_findings_fingerprint. */
function openCopies(eb: ExpressionBuilder<any, any>, input: DiffInput, versionKey: string) {
  let match = eb
    .selectFrom('report_findings as d')
    .select(sql`1`.as('one'))
    .where('d.org_id', '=', input.orgId)
    .where('d.project_name', '=', input.projectName)
    .where('d.version_key', '=', versionKey)
    .whereRef('d.fingerprint', '=', 'f.fingerprint')
    .where('d.status', '=', 'open');
  if (input.reportType !== undefined) match = match.where('d.report_type', '=', input.reportType);
  return match;
}

/**
 * The findings of one list: new (open in `to` only), fixed (open in `from` only, whatever `to`
 * says of them), unchanged (open in both, as `to` shows them).
 */
export function listQuery(db: Kysely<Database>, input: DiffInput, list: DiffList) {
  const [mine, other] = list === 'fixed' ? [input.fromKey, input.toKey] : [input.toKey, input.fromKey];
  return openAt(db, input, mine).where((eb) => (list === 'unchanged' ? eb.exists(openCopies(eb, input, other)) : eb.not(eb.exists(openCopies(eb, input, other)))));
}

const placeKey = [sql<string>`coalesce(f.file, '')`, sql<number>`coalesce(f.line, 0)`, sql.ref<string>('f.rule_id'), sql.ref<string>('f.fingerprint')] as const;

/** One page of a list in place order (file, line, rule, fingerprint: unique, so keyset paging never skips or repeats). */
async function listPage(db: Kysely<Database>, input: DiffInput, list: DiffList, after: DiffCursor | undefined): Promise<{ findings: FindingView[]; next: string | null }> {
  let query = listQuery(db, input, list).select(FINDING_VIEW_COLUMNS.map((c) => `f.${c}` as const));
  if (after) {
    const [, file, line, ruleId, fingerprint] = after;
    // The lone first term is redundant but lets SQLite seek into report_findings_place (it checks a row value on expressions row by row).
    query = query
      .where(sql<boolean>`${placeKey[0]} >= ${file}`)
      .where(sql<boolean>`(${placeKey[0]}, ${placeKey[1]}, ${placeKey[2]}, ${placeKey[3]}) > (${file}, ${line}, ${ruleId}, ${fingerprint})`);
  }
  for (const key of placeKey) query = query.orderBy(key);
  const rows = await query.limit(input.limit + 1).execute();
  let next: string | null = null;
  if (rows.length > input.limit) {
    rows.length = input.limit;
    const last = rows[rows.length - 1]!;
    next = encodeCursor([list, last.file ?? '', last.line === null ? 0 : Number(last.line), last.rule_id, last.fingerprint]);
  }
  return { findings: rows.map(toFindingView), next };
}

/**
 * What changed between two versions of a product, by fingerprint over open findings. Counts (in
 * total, per CWE and per category) are grouped in the database over the whole diff (and kept per
 * reports revision, see diffCounts); the lists are one page each, so an answer never holds more
 * than three pages of findings, however large the diff.
 */
export async function diffFindings(db: Kysely<Database>, input: DiffInput): Promise<FindingsDiff> {
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const diff: FindingsDiff = { new: [], fixed: [], unchanged: [], nextCursor: { new: null, fixed: null, unchanged: null }, ...(await diffCounts(db, input)) };
  for (const list of DIFF_LISTS) {
    if (after && after[0] !== list) continue;
    const page = await listPage(db, input, list, after);
    diff[list] = page.findings;
    diff.nextCursor[list] = page.next;
  }
  return diff;
}

const zero = (): DiffCounts => ({ new: 0, fixed: 0, unchanged: 0 });

type Counts = Pick<FindingsDiff, 'counts' | 'byCwe' | 'byCategory'>;

/**
 * Counts of a diff, per database (tests run several servers in one process), keyed by the
 * organisation's reports_revision: every report change (and so every findings change) moves it
 * in its own transaction, in whichever process wrote, so an entry of an older revision is never
 * read again. Walking a long list page by page then costs each page its walk, not a recount.
 */
const countCaches = new WeakMap<Kysely<Database>, Map<string, Counts>>();
const COUNT_CACHE_ENTRIES = 64;

async function diffCounts(db: Kysely<Database>, input: DiffInput): Promise<Counts> {
  // The revision is read before counting: a change committed in between lands under an older key, never read again.
  const org = await db.selectFrom('organizations').select('reports_revision').where('id', '=', input.orgId).executeTakeFirst();
  const key = JSON.stringify([input.orgId, Number(org?.reports_revision ?? -1), input.projectName, input.fromKey, input.toKey, input.reportType ?? null]);
  let cache = countCaches.get(db);
  if (!cache) countCaches.set(db, (cache = new Map()));
  const cached = cache.get(key);
  if (cached) {
    // Most recently used last: the first key is the one to evict.
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const counts = await countDiff(db, input);
  cache.set(key, counts);
  if (cache.size > COUNT_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return counts;
}

/** Two passes in the database: `to` once (each finding new or unchanged), `from` once (fixed). */
async function countDiff(db: Kysely<Database>, input: DiffInput): Promise<Counts> {
  const result: Counts = { counts: zero(), byCwe: {}, byCategory: {} };
  const countRows = [
    ...(await openAt(db, input, input.toKey)
      .select((eb) => [eb.case().when(eb.exists(openCopies(eb, input, input.fromKey))).then('unchanged').else('new').end().as('list'), 'f.cwe', 'f.owasp', sql<number>`count(*)`.as('n')])
      .groupBy(['list', 'f.cwe', 'f.owasp'])
      .execute()),
    ...(await listQuery(db, input, 'fixed').select([sql<string>`'fixed'`.as('list'), 'f.cwe', 'f.owasp', sql<number>`count(*)`.as('n')]).groupBy(['f.cwe', 'f.owasp']).execute()),
  ];
  for (const group of countRows) {
    const list = group.list as DiffList;
    const n = Number(group.n);
    result.counts[list] += n;
    for (const id of cweLabels(group.cwe)) (result.byCwe[id] ??= zero())[list] += n;
    for (const id of owaspLabels(group.owasp)) (result.byCategory[id] ??= zero())[list] += n;
  }
  return result;
}
