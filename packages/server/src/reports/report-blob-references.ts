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
