import type SQLite from 'better-sqlite3';
import type { CompiledQuery, DatabaseConnection } from 'kysely';
import type { PgNotifications } from './pg-notifications.js';

/**
 * A number that moves whenever a committed change may have happened since it was last read, in
 * this process or any other; `undefined` when that cannot be known without asking the database.
 * A value read *before* reading a row vouches for that row for as long as the token stays the
 * same: in-process caches compare tokens instead of making a round trip per request.
 */
export interface ChangeToken {
  current(): number | undefined;
  stop(): Promise<void>;
}

/** PostgreSQL's token also moves when this process commits a change, without waiting for its notification. */
export interface PostgresChangeToken extends ChangeToken {
  /** Called once this process's write to an organisation row has committed. */
  committedLocally(): void;
}

/**
 * SQLite: `total_changes()` moves when this connection writes (checked on every call: a fraction of
 * a microsecond), `data_version` when another connection (another process, the `arkiv` CLI)
 * commits. The latter takes a read lock on the WAL index and costs several microseconds, so it
 * is read once per event-loop turn and shared by the requests handled in that turn: a request
 * handled in a turn was received by its poll, so a commit that happened before the client sent
 * it happened before that poll, and before the first read of the turn. (libuv polls again within
 * the same turn only when one poll returned 1 024 ready sockets.) Over-counting (a rolled-back
 * write) only costs a cache miss.
 */
export function sqliteChangeToken(sqlite: SQLite.Database): ChangeToken {
  const dataVersion = sqlite.prepare('pragma data_version').pluck();
  const totalChanges = sqlite.prepare('select total_changes()').pluck();
  let version = -1;
  let changes = -1;
  let latestVersion = -1;
  let versionReadThisTurn = false;
  const endOfTurn = () => void (versionReadThisTurn = false);
  let token = 0;
  return {
    current() {
      let c: number;
      try {
        if (!versionReadThisTurn) {
          latestVersion = dataVersion.get() as number;
          versionReadThisTurn = true;
          setImmediate(endOfTurn);
        }
        c = totalChanges.get() as number;
      } catch {
        // The connection is busy (an open iterator): unknown, so the caller asks the database.
        return undefined;
      }
      if (latestVersion !== version || c !== changes) {
        version = latestVersion;
        changes = c;
        token++;
      }
      return token;
    },
    stop: async () => {},
  };
}

/** The channel the `organizations` trigger of migration 0017 notifies on every insert, update and delete. */
export const ORGANIZATION_CHANGES_CHANNEL = 'arkiv_organization_changed';

/**
 * PostgreSQL: every change to an organisation row (report changes move its revision) is NOTIFYed
 * inside the writing transaction, so every process hears it when it commits. It is heard on the
 * process's one LISTEN connection (pg-notifications.ts, shared with queue wake-ups). The token is
 * undefined until LISTEN is in force and whenever that connection is lost: callers then read the
 * database as before. Subscribes at the first use, so processes that never ask do not listen.
 */
export function postgresChangeToken(notifications: Pick<PgNotifications, 'subscribe'>): PostgresChangeToken {
  let listening = false;
  let token = 0;
  let subscription: Promise<() => Promise<void>> | undefined;
  return {
    current() {
      subscription ??= notifications.subscribe(ORGANIZATION_CHANGES_CHANNEL, {
        onNotification: () => void token++,
        onListening: () => {
          // Whatever was cached before may have missed notifications: start from a new token.
          token++;
          listening = true;
        },
        onLost: () => {
          listening = false;
          token++;
        },
      });
      return listening ? token : undefined;
    },
    committedLocally: () => void token++,
    stop: async () => {
      listening = false;
      const unsubscribe = await subscription;
      await unsubscribe?.();
    },
  };
}

const WRITES_ORGANIZATIONS = /"organizations"/;
const READ_ONLY = /^\s*select\b/i;

/**
 * Calls `committed` after each commit (or autocommitted statement) of this connection that wrote
 * to `organizations`. A notification takes a moment to come back; without this, the process that
 * made a change could answer its own next request from the cache it had before. Kysely quotes
 * every identifier, so its statements name the table as "organizations".
 */
export function watchOrganizationWrites(connection: DatabaseConnection, committed: () => void): void {
  const execute = connection.executeQuery.bind(connection);
  let inTransaction = false;
  let touched = false;
  connection.executeQuery = (<R>(query: CompiledQuery) => {
    const text = query.sql;
    if (/^\s*(begin|start transaction)\b/i.test(text)) {
      inTransaction = true;
      touched = false;
      return execute<R>(query);
    }
    if (/^\s*(commit|rollback)\s*$/i.test(text)) {
      const commit = touched && /^\s*commit/i.test(text);
      inTransaction = false;
      touched = false;
      return commit ? execute<R>(query).finally(committed) : execute<R>(query);
    }
    if (!WRITES_ORGANIZATIONS.test(text) || READ_ONLY.test(text)) return execute<R>(query);
    if (inTransaction) {
      touched = true;
      return execute<R>(query);
    }
    return execute<R>(query).finally(committed);
  }) as DatabaseConnection['executeQuery'];
}
