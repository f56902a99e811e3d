import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invalidParameter } from '../http/errors.js';
import { toListItem, type ReportListItem } from './report-model.js';

export interface ListFilter {
  orgId: string;
  /** Version keys (see versions.ts); exact matches precedence equality, the bounds are inclusive. */
  exactKey?: string | undefined;
  minKey?: string | undefined;
  maxKey?: string | undefined;
  projectName?: string | undefined;
  reportType?: string | undefined;
  uploadedSinceMs?: number | undefined;
  /** Without a limit every match is returned: seed clients know no pagination. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

type CursorTuple = [projectName: string, versionKey: string, reportType: string, reportVersion: number, id: string];

const encodeCursor = (t: CursorTuple) => Buffer.from(JSON.stringify(t)).toString('base64url');

function decodeCursor(cursor: string): CursorTuple {
  try {
    const t = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(t) && t.length === 5 && typeof t[3] === 'number' && t.every((v, i) => (i === 3 ? true : typeof v === 'string'))) {
      return t as CursorTuple;
    }
  } catch {
    /* fall through to the error below */
  }
  throw invalidParameter('cursor is not a cursor returned by this API');
}

/**
 * Only what a list item and its cursor need. The list is the hottest read: every column not
 * fetched is bytes not read, decoded and collected, 50 times per typical response.
 */
const LIST_COLUMNS = [
  'project_name', 'id', 'report_type', 'report_version', 'project_version', 'version_key',
  'date', 'uploaded_at', 'vulnerabilities_count', 'security_rating',
] as const;


/**
 * One indexed query. Order: projectName, version descending, reportType, reportVersion descending,
 * id — total, so keyset pagination never skips or repeats a report.
 */
export async function listReports(db: Kysely<Database>, f: ListFilter): Promise<{ reports: ReportListItem[]; nextCursor: string | null }> {
  let query = db.selectFrom('reports').select(LIST_COLUMNS).where('org_id', '=', f.orgId);
  if (f.exactKey !== undefined) query = query.where('version_key', '=', f.exactKey);
  if (f.minKey !== undefined) query = query.where('version_key', '>=', f.minKey);
  if (f.maxKey !== undefined) query = query.where('version_key', '<=', f.maxKey);
  if (f.projectName !== undefined) query = query.where('project_name', '=', f.projectName);
  if (f.reportType !== undefined) query = query.where('report_type', '=', f.reportType);
  if (f.uploadedSinceMs !== undefined) query = query.where('uploaded_at', '>=', f.uploadedSinceMs);
  if (f.cursor !== undefined) {
    const [pn, vk, rt, rv, id] = decodeCursor(f.cursor);
    query = query.where((eb) =>
      eb.or([
        eb('project_name', '>', pn),
        eb.and([eb('project_name', '=', pn), eb('version_key', '<', vk)]),
        eb.and([eb('project_name', '=', pn), eb('version_key', '=', vk), eb('report_type', '>', rt)]),
        eb.and([eb('project_name', '=', pn), eb('version_key', '=', vk), eb('report_type', '=', rt), eb('report_version', '<', rv)]),
        eb.and([eb('project_name', '=', pn), eb('version_key', '=', vk), eb('report_type', '=', rt), eb('report_version', '=', rv), eb('id', '>', id)]),
      ]),
    );
  }
  query = query
    .orderBy('project_name', 'asc')
    .orderBy('version_key', 'desc')
    .orderBy('report_type', 'asc')
    .orderBy('report_version', 'desc')
    .orderBy(sql`id`, 'asc');
  if (f.limit !== undefined) query = query.limit(f.limit + 1);
  const rows = await query.execute();
  let nextCursor: string | null = null;
  if (f.limit !== undefined && rows.length > f.limit) {
    rows.length = f.limit;
    const last = rows[rows.length - 1]!;
    nextCursor = encodeCursor([last.project_name, last.version_key, last.report_type, last.report_version, last.id]);
  }
  return { reports: rows.map(toListItem), nextCursor };
}
