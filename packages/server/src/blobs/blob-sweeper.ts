import fs from 'node:fs';
import path from 'node:path';
import { Counter, type Registry } from 'prom-client';
import type { AppContext, BackgroundWorker } from '../context.js';

/**
 * A blob younger than this is never deleted, referenced or not. It must stay far longer than any
 * upload takes from publishing its blobs (`BlobStore.put`) to committing the rows that name them:
 * a blob published but not yet referenced is exactly what a concurrent upload looks like.
 */
export const BLOB_GRACE_MS = 60 * 60_000;
/** Keys checked against report_files per query (well under SQLite's bound-parameter limit). */
const BATCH = 500;
/** Any constant no other feature uses: pg advisory locks share one key space per database. */
export const SWEEP_LOCK_ID = '7304611870155386881';
const MINUTE = 60_000;
const FIRST_SWEEP_MAX_DELAY_MS = 5 * MINUTE;

/**
 * Which stored blobs something still needs. The reports feature answers it
 * (reports/report-blob-references.ts): the sweeper reads no other feature's tables.
 */
export interface BlobReferences {
  /** The keys of `keys` that nothing references (one batch of at most a few hundred keys). */
  unreferenced(keys: string[]): Promise<string[]>;
}

export interface SweepResult {
  /** False when another process held the sweep lock or the store cannot list its blobs. */
  swept: boolean;
  /** Unreferenced blobs older than the grace period that were looked at. */
  candidates: number;
  deletedBlobs: number;
  deletedStagingFiles: number;
}

/**
 * Deletes blobs that `references` says nothing references and that were last published before
 * `ctx.now() - graceMs`, then staging files older than that. Safe against concurrent uploads:
 * an upload commits its rows within the grace period of its put, so any commit naming an old blob
 * is visible to the reference check (which runs after the sweep began), and the store's
 * `deleteIfOlderThan` refuses a blob a put refreshed after it was listed.
 */
export async function sweepBlobs(ctx: AppContext, references: BlobReferences, options: { graceMs?: number } = {}): Promise<SweepResult> {
  const cutoff = ctx.now() - (options.graceMs ?? BLOB_GRACE_MS);
  const result: SweepResult = { swept: false, candidates: 0, deletedBlobs: 0, deletedStagingFiles: 0 };
  const { blobs } = ctx;
  if (!blobs.listBlobs || !blobs.deleteIfOlderThan) return result;
  const list = blobs.listBlobs.bind(blobs);
  const deleteIfOlderThan = blobs.deleteIfOlderThan.bind(blobs);
  const locked = await withSweepLock(ctx, async () => {
    let batch: string[] = [];
    const flush = async () => {
      for (const key of await references.unreferenced(batch)) {
        result.candidates += 1;
        if (await deleteIfOlderThan(key, cutoff)) result.deletedBlobs += 1;
      }
      batch = [];
    };
    for await (const key of list(cutoff)) {
      batch.push(key);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    result.deletedStagingFiles = await removeStaleStagingFiles(ctx.stagingDir, cutoff);
  });
  result.swept = locked;
  return result;
}

/**
 * Runs `sweep` unless another process is sweeping (PostgreSQL: a transaction-scoped advisory lock
 * on a dedicated connection, released by commit or by the connection dying with its process).
 * The lock only saves duplicate work: every delete is conditional and idempotent. The holding
 * transaction writes nothing and runs no statement while it waits, so it pins no snapshot.
 * SQLite: one database file means one host; concurrent sweeps there are merely redundant.
 */
async function withSweepLock(ctx: AppContext, sweep: () => Promise<void>): Promise<boolean> {
  const pool = ctx.database.pool;
  if (!pool) {
    await sweep();
    return true;
  }
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const lock = await client.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1::bigint) as locked', [SWEEP_LOCK_ID]);
    if (lock.rows[0]?.locked) await sweep();
    await client.query('commit');
    return lock.rows[0]?.locked === true;
  } catch (error) {
    await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Leftovers of uploads that failed without cleaning up (a crash, a killed process). */
async function removeStaleStagingFiles(dir: string, cutoff: number): Promise<number> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(dir, entry.name);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat || stat.mtimeMs >= cutoff) continue;
    await fs.promises.rm(file, { force: true });
    removed += 1;
  }
  return removed;
}

/** Sweeps every `blobSweepIntervalMin` minutes; the first sweep comes a little after start. */
export class BlobSweeper implements BackgroundWorker {
  readonly name = 'blob-sweeper';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly deleted: Counter<'kind'>;

  constructor(
    private readonly ctx: AppContext,
    private readonly references: BlobReferences,
  ) {
    this.deleted = deletedCounter(ctx.metrics);
  }

  start(): void {
    const intervalMs = this.ctx.config.blobSweepIntervalMin * MINUTE;
    if (intervalMs <= 0) return;
    const tick = () => {
      this.running ??= this.runOnce().finally(() => (this.running = undefined));
    };
    // Not at once: a fleet restarting together would all sweep together, and a short-lived
    // process (a test server) should not sweep at all.
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      tick();
      this.timer = setInterval(tick, intervalMs);
      this.timer.unref();
    }, Math.min(intervalMs, FIRST_SWEEP_MAX_DELAY_MS));
    this.timer.unref();
  }

  async runOnce(): Promise<SweepResult | undefined> {
    try {
      const result = await sweepBlobs(this.ctx, this.references);
      this.deleted.inc({ kind: 'blob' }, result.deletedBlobs);
      this.deleted.inc({ kind: 'staging' }, result.deletedStagingFiles);
      if (result.deletedBlobs || result.deletedStagingFiles) this.ctx.log.info(result, 'swept unreferenced blobs');
      return result;
    } catch (error) {
      this.ctx.log.error({ err: error }, 'blob sweep failed');
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.timer);
    await this.running;
  }
}

function deletedCounter(registry: Registry): Counter<'kind'> {
  return (
    (registry.getSingleMetric('arkiv_blob_sweep_deleted_total') as Counter<'kind'> | undefined) ??
    new Counter({ name: 'arkiv_blob_sweep_deleted_total', help: 'Files deleted by the blob sweeper: unreferenced blobs and stale staging files', labelNames: ['kind'], registers: [registry] })
  );
}

/** Registered in features.ts: every process that runs workers sweeps (0 minutes disables it). */
export function installBlobSweeper(ctx: AppContext, references: BlobReferences): void {
  if (ctx.config.blobSweepIntervalMin > 0) ctx.workers.push(new BlobSweeper(ctx, references));
}
