import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import { FROM_DATABASE_CONNECT } from './database-outage.js';
import { postgresChangeToken, sqliteChangeToken, watchOrganizationWrites, type ChangeToken } from './change-token.js';
import { PgNotifications, type NotificationLog } from './pg-notifications.js';

// Each driver is loaded only by the engine that uses it (pg ≈ 15 MiB of RSS on a SQLite server).
// Both are CommonJS, so require keeps openDatabase synchronous.
const require = createRequire(import.meta.url);
const loadPg = () => require('pg') as typeof pg;
const loadSqlite = () => require('better-sqlite3') as typeof SQLite;

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** PostgreSQL only: the pool, for LISTEN/NOTIFY and streaming work that Kysely does not wrap. */
  pool: pg.Pool | undefined;
  /** Moves on every committed change to the database's organisations (see change-token.ts). */
  changes: ChangeToken;
  /** PostgreSQL only: the process's one LISTEN connection (queue wake-ups and the change token). */
  notifications: PgNotifications | undefined;
  /**
   * Start-up's writes are done. SQLite, opened with deferCheckpointThread: checkpoints them and
   * starts its checkpoint thread at the next write (wal-checkpointer.ts). PostgreSQL: nothing.
   */
  startUpDone(): void;
  close(): Promise<void>;
}

const INT8_OID = 20;

const SILENT: NotificationLog = { info: () => {}, warn: () => {}, error: () => {} };

/** bigint columns hold epoch ms and sizes: all far below 2^53, so numbers are safe and portable. */
function pgTypes(): pg.CustomTypesConfig {
  const pgTypeParsers = loadPg().types;
  return {
    getTypeParser: (oid: number, format?: string) =>
      oid === INT8_OID ? (value: string) => Number(value) : pgTypeParsers.getTypeParser(oid, format as 'text'),
  } as pg.CustomTypesConfig;
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares a new better-sqlite3 statement for every query; preparing costs as much as
 * running a small one. Statements are kept by SQL text (least recently used out), and one that is
 * busy (an open iterator of a streamed query) is never handed out twice: a fresh one is prepared.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = sqlite.prepare(text);
      if (!cached) {
        cache.set(text, statement);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
  };
}

export function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  onPoolError?: (error: Error) => void;
  /** PostgreSQL only: a new connection completed its handshake (after an outage: the server is back). */
  onPoolConnect?: () => void;
  /** PostgreSQL only: seconds a query waited for a pool connection (a full pool queues queries). */
  onPoolWait?: (seconds: number) => void;
  onCheckpointError?: (message: string) => void;
  /** PostgreSQL only: where the LISTEN connection reports an outage and its end (silent if absent). */
  log?: NotificationLog;
  /** SQLite only: a server process, whose checkpoint thread waits for its first write after startUpDone(). */
  deferCheckpointThread?: boolean;
}): DatabaseHandle {
  if (options.databaseUrl) {
    const pool = new (loadPg().Pool)({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types: pgTypes(),
      application_name: 'arkiv',
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', (error) => options.onPoolError?.(error));
    pool.on('connect', () => options.onPoolConnect?.());
    // Marks a failed connect as the database's (see database-outage.ts): ECONNREFUSED from a
    // webhook target or SonarQube must stay their error, not become 503 database_unavailable.
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    pool.connect = ((...args: unknown[]) => {
      if (args.length > 0) return (pool.constructor as typeof pg.Pool).prototype.connect.apply(pool, args as never);
      const asked = performance.now();
      return connect().then((client) => {
        options.onPoolWait?.((performance.now() - asked) / 1000);
        return client;
      }, (error: unknown) => {
        if (error && typeof error === 'object') Object.defineProperty(error, FROM_DATABASE_CONNECT, { value: true });
        throw error;
      });
    }) as typeof pool.connect;
    const notifications = new PgNotifications(options.databaseUrl, options.log ?? SILENT);
    const changes = postgresChangeToken(notifications);
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool, onCreateConnection: async (connection) => watchOrganizationWrites(connection, changes.committedLocally) }),
    });
    return {
      db,
      dialect: 'postgres',
      pool,
      changes,
      notifications,
      startUpDone: () => {},
      close: async () => {
        await changes.stop();
        await notifications.close();
        await db.destroy();
      },
    };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'arkiv.sqlite');
  const sqlite = new (loadSqlite())(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The default 2 MiB page cache makes a large table's random index pages (delivery ids, report
  // ids) a read per write; 32 MiB keeps the hot part of a million-row outbox in memory.
  sqlite.pragma('cache_size = -32768');
  // Checkpoints restart the WAL from its start; this trims a file a burst made large.
  sqlite.pragma('journal_size_limit = 67108864');
  const checkpointer = startWalCheckpointer(sqlite, file, (message) => options.onCheckpointError?.(message), { deferred: options.deferCheckpointThread === true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    pool: undefined,
    changes: sqliteChangeToken(sqlite),
    notifications: undefined,
    startUpDone: () => checkpointer.startUpDone(),
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}
