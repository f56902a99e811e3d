import type { Kysely } from 'kysely';
import type { ChangeToken } from '../db/change-token.js';
import type { Database } from '../db/schema.js';
import { findReadAccess } from './org-store.js';

export type ReadAccess = Awaited<ReturnType<typeof findReadAccess>>;

/**
 * The organisation row every read request needs (read-token flag, reports revision), kept in
 * memory while the database's change token stays the same: a read then needs no round trip. The
 * token is taken *before* the row is read, so a cached row is never older than its token, and any
 * later commit, by any process, moves the token (db/change-token.ts). When the token is unknown
 * (PostgreSQL listener down), every read goes to the database, as it did before this cache.
 */
export class ReadAccessCache {
  private readonly rows = new Map<string, ReadAccess>();
  private token: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly changes: ChangeToken,
    /** Unknown organisation ids are cached too and callers choose them: bounded. */
    private readonly maxEntries = 10_000,
  ) {}

  /** Synchronous on a hit, so the hot path adds no promise; a miss returns the pending read. */
  get(orgId: string): ReadAccess | Promise<ReadAccess> {
    const token = this.changes.current();
    if (token === undefined || token !== this.token) {
      this.rows.clear();
      this.token = token;
    } else if (this.rows.has(orgId)) {
      return this.rows.get(orgId);
    }
    return findReadAccess(this.db, orgId).then((access) => {
      // A commit since the token was read moved it: this row is then at least as new as needed,
      // but the map was (or will be) cleared under the new token, so storing it is harmless.
      if (token !== undefined && token === this.token) {
        if (this.rows.size >= this.maxEntries) this.rows.clear();
        this.rows.set(orgId, access);
      }
      return access;
    });
  }
}
