import type { Kysely, Transaction } from 'kysely';

/**
 * Runs `work` in the caller's transaction when `db` already is one, else in a new one. Stores that
 * need a transaction use it, so a route can wrap a store call and its audit entry in one.
 */
export function inTransaction<DB, T>(db: Kysely<DB>, work: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Transaction<DB>) : db.transaction().execute(work);
}

/** Writes a caller adds to a store's own transaction (an audit entry), given what the store wrote. */
export type AlsoInTransaction<DB, R = void> = (trx: Transaction<DB>, result: R) => Promise<unknown>;
