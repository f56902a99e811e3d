import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect-sql.js';
import type { NotificationListener, PgNotifications } from './pg-notifications.js';

/**
 * Wake-ups for queues: a writer calls `notifyOnCommit` inside the transaction that adds work, and
 * every process's workers subscribed to that channel look for it as soon as the transaction commits.
 * PostgreSQL carries them with LISTEN/NOTIFY to every process; SQLite has one process, so they are
 * in-process calls. Either way a wake-up is only a hint: workers keep polling as a safety net.
 */
export interface WakeUps {
  /** Calls `listener` after every commit that notified `channel`; the returned function unsubscribes. */
  subscribe(channel: string, listener: NotificationListener): Promise<() => Promise<void>>;
}

const localListeners = new Map<string, Set<NotificationListener>>();
const localScheduled = new Set<string>();

/**
 * Wakes `channel`'s subscribers once the surrounding transaction commits, never before. On
 * PostgreSQL a NOTIFY issued in a transaction is delivered at its commit (and dropped on rollback);
 * NOTIFYs of one transaction with the same payload are delivered once.
 */
export async function notifyOnCommit(db: Kysely<any>, channel: string, payload = ''): Promise<void> {
  if (isPostgres(db)) {
    await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    return;
  }
  // SQLite has one connection: whatever a woken worker queries now waits behind this transaction,
  // so it runs after the commit and sees the new rows (after a rollback it finds nothing: harmless).
  // Many notifications in a row make one wake-up.
  const key = `${channel}\0${payload}`;
  if (localScheduled.has(key)) return;
  localScheduled.add(key);
  setImmediate(() => {
    localScheduled.delete(key);
    for (const listener of localListeners.get(channel) ?? []) listener(payload);
  });
}

const localWakeUps: WakeUps = {
  async subscribe(channel, listener) {
    let set = localListeners.get(channel);
    if (!set) localListeners.set(channel, (set = new Set()));
    set.add(listener);
    return async () => void set.delete(listener);
  },
};

/** PostgreSQL: the process's one LISTEN connection (the database handle's); SQLite: in-process calls. */
export function createWakeUps(notifications: PgNotifications | undefined): WakeUps {
  return notifications ?? localWakeUps;
}
