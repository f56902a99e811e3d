import type { Kysely } from 'kysely';
import type { BlobReferences } from '../blobs/blob-sweeper.js';
import type { Database } from '../db/schema.js';

/** The blobs reports hold: a blob is needed while any report file names it. */
export function reportBlobReferences(db: Kysely<Database>): BlobReferences {
  return {
    async unreferenced(keys) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('report_files').select('blob_key').distinct().where('blob_key', 'in', keys).execute();
      const referenced = new Set(rows.map((r) => r.blob_key));
      return keys.filter((key) => !referenced.has(key));
    },
  };
}

/** One blob a report file names, with the SHA-256 recorded at upload. */
export interface ReportBlob {
  key: string;
  sha256: string;
}

/**
 * Every blob report files name, in key order, `batch` at a time (keyset pagination: a million
 * reports never sit in memory at once). Pass a transaction to read one snapshot.
 */
export async function* reportBlobs(db: Kysely<Database>, batch = 1000): AsyncIterable<ReportBlob[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('report_files')
      .select(['blob_key as key', (eb) => eb.fn.min('sha256').as('sha256')])
      .where('blob_key', '>', after)
      .groupBy('blob_key')
      .orderBy('blob_key')
      .limit(batch)
      .execute();
    if (rows.length === 0) return;
    yield rows as ReportBlob[];
    after = rows.at(-1)!.key;
  }
}
