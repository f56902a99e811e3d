import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import type { Database } from './db/schema.js';
import type { Kysely } from 'kysely';
import type { BlobStore } from './blobs/blob-store.js';
import { FsBlobStore } from './blobs/fs-store.js';
import { countBlobStoreErrors } from './blobs/blob-metrics.js';
import { SecretBox, resolveSecretKey } from './secrets.js';
import type { ReportChangeHook } from './reports/report-hooks.js';
import type { Principal } from './accounts/principal.js';
import type { FastifyRequest } from 'fastify';
import { Gauge, Histogram, Registry } from 'prom-client';
import { DatabaseOutage, isDatabaseUnavailable } from './db/database-outage.js';
import { createWakeUps, type WakeUps } from './db/wake-ups.js';

/**
 * Resolves who made a request from something other than a bearer token (e.g. a session cookie).
 * Answers synchronously when it has nothing to look up (no cookie), so anonymous requests stay cheap.
 */
export type Authenticator = (request: FastifyRequest) => Principal | null | Promise<Principal | null>;

/** A long-running loop (webhook dispatcher, job runner) that `arkiv serve` or `arkiv worker` runs. */
export interface BackgroundWorker {
  readonly name: string;
  start(): void;
  /** Finishes or releases in-flight work, then resolves. */
  stop(): Promise<void>;
}

/**
 * Everything a feature needs, built once per process (or per test). Features extend it at start:
 * they push report hooks, authenticators and workers; nothing is looked up globally.
 */
export interface AppContext {
  config: Readonly<Config>;
  database: DatabaseHandle;
  db: Kysely<Database>;
  blobs: BlobStore;
  /** Local directory for uploads in flight (same filesystem as fs blobs, so publishing is a rename). */
  stagingDir: string;
  secrets: SecretBox;
  log: Logger;
  reportHooks: ReportChangeHook[];
  authenticators: Authenticator[];
  workers: BackgroundWorker[];
  /** Prometheus registry; features add their own metrics to it. */
  metrics: Registry;
  /** Queue wake-ups across processes (LISTEN/NOTIFY) or within this one (SQLite). */
  wakeUps: WakeUps;
  /** The current database outage, if any: logged once, answered 503 database_unavailable. */
  databaseOutage: DatabaseOutage;
  /** Epoch ms. Tests replace it to control retry schedules. */
  now: () => number;
}

export async function createContext(
  config: Readonly<Config>,
  /** deferCheckpointThread: a server process (startServer calls startUpDone); see db/wal-checkpointer.ts. */
  options: { log?: Logger; deferCheckpointThread?: boolean } = {},
): Promise<AppContext> {
  // Asynchronous stdout: a line per request was a write(2) per request on the hot path. Lines
  // written while one write is in flight go out together in the next; pino flushes what is left
  // synchronously when the process exits.
  const log = options.log ?? pino({ level: config.logLevel, base: { service: 'arkiv' } }, pino.destination({ dest: 1, sync: false }));
  const metrics = new Registry();
  let outage: DatabaseOutage | undefined;
  const poolWait = new Histogram({
    name: 'arkiv_db_pool_wait_seconds',
    help: 'PostgreSQL: how long a query waited for a connection of the pool (new connections included)',
    buckets: [0.0005, 0.002, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [metrics],
  });
  const database = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    onPoolError: (error) => {
      if (isDatabaseUnavailable(error)) outage?.failed(error);
      else log.warn({ err: error }, 'an idle database connection failed; it will be replaced');
    },
    onPoolConnect: () => outage?.recovered(),
    onPoolWait: (seconds) => poolWait.observe(seconds),
    deferCheckpointThread: options.deferCheckpointThread === true,
    onCheckpointError: (message) => log.warn({ error: message }, 'background WAL checkpoint failed; the next one retries'),
    log,
  });
  // Whatever fails from here on, the database handle must not outlive the failed start.
  let key: string;
  let blobs: BlobStore;
  const fsBlobs = new FsBlobStore(path.join(config.dataDir, 'blobs'));
  try {
    await migrateToLatest(database.db);
    const secret = resolveSecretKey(config.secretKey, config.dataDir);
    if (secret.generated) log.warn({ dataDir: config.dataDir }, 'generated a secret key in the data dir; set ARKIV_SECRET_KEY to share one across processes');
    key = secret.key;
    blobs = config.blobStore === 'postgres' ? await loadPostgresBlobStore(database) : config.blobStore === 's3' ? await loadS3BlobStore(config) : fsBlobs;
    countBlobStoreErrors(blobs, metrics);
  } catch (error) {
    await database.close();
    throw error;
  }
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    blobs,
    stagingDir: fsBlobs.stagingDir,
    secrets: new SecretBox(key),
    log,
    reportHooks: [],
    authenticators: [],
    workers: [],
    metrics,
    wakeUps: createWakeUps(database.notifications),
    // Set just below: it reads ctx.log when it reports, so a logger replaced later (tests) is used.
    databaseOutage: undefined as unknown as DatabaseOutage,
    now: Date.now,
  };
  if (database.pool) poolGauge(database.pool, metrics);
  ctx.databaseOutage = outage = new DatabaseOutage(() => ctx.log, metrics, () => ctx.now());
  return ctx;
}

/** The pool's connections by state, read from memory at each scrape (no query). */
function poolGauge(pool: NonNullable<DatabaseHandle['pool']>, metrics: Registry): void {
  new Gauge({
    name: 'arkiv_db_pool_connections',
    help: 'PostgreSQL pool: connections open (total), idle, and queries waiting for one (waiting)',
    labelNames: ['state'],
    registers: [metrics],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}

async function loadPostgresBlobStore(database: DatabaseHandle): Promise<BlobStore> {
  const { PostgresBlobStore } = await import('./blobs/postgres-store.js');
  return new PostgresBlobStore(database);
}

/** Imported only when chosen: a process on another store never loads the AWS SDK. */
async function loadS3BlobStore(config: Readonly<Config>): Promise<BlobStore> {
  const { S3BlobStore } = await import('./blobs/s3-store.js');
  const store = new S3BlobStore(config.s3!);
  await store.checkAccess();
  return store;
}
