import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { listReports, type ListFilter } from './list-query.js';
import type { ReportListItem } from './report-model.js';

/** Rows fetched per query when an unpaginated answer is large. */
export const STREAM_PAGE_SIZE = 1000;

/**
 * The complete answer to a list request without `limit` (seed clients know no pagination), as
 * JSON text. A small answer is one string. A large one is streamed page by page through the
 * same keyset cursor clients use, so one huge organisation never holds the process (or its
 * memory) for the whole answer: the event loop serves other requests between pages. Every report
 * that exists for the whole request is in it exactly once; the sort keys never change on update.
 */
export async function unpaginatedList(db: Kysely<Database>, filter: ListFilter): Promise<string | Readable> {
  const first = await listReports(db, { ...filter, limit: STREAM_PAGE_SIZE });
  const head = `{"organizationId":${JSON.stringify(filter.orgId)},"reports":[`;
  if (first.nextCursor === null) return `${head}${first.reports.map((r) => JSON.stringify(r)).join(',')}]}`;
  return Readable.from(pages(db, filter, head, first));
}

async function* pages(db: Kysely<Database>, filter: ListFilter, head: string, first: { reports: ReportListItem[]; nextCursor: string | null }) {
  yield `${head}${first.reports.map((r) => JSON.stringify(r)).join(',')}`;
  let cursor = first.nextCursor;
  while (cursor !== null) {
    await new Promise((resolve) => setImmediate(resolve));
    const page = await listReports(db, { ...filter, limit: STREAM_PAGE_SIZE, cursor });
    if (page.reports.length > 0) yield `,${page.reports.map((r) => JSON.stringify(r)).join(',')}`;
    cursor = page.nextCursor;
  }
  yield ']}';
}
