import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** How often the worker copies committed WAL pages into the database file. */
const CHECKPOINT_INTERVAL_MS = 250;
/** SQLite's own default, restored if the worker goes away. */
const AUTO_CHECKPOINT_PAGES = 1000;

// CommonJS, evaluated in the worker: its own connection, PASSIVE checkpoints only (they never
// wait for or block the main connection's readers and writers).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error && error.message)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export interface WalCheckpointer {
  /**
   * Deferred mode: start-up's writes are done. They are checkpointed now, on this thread (nothing
   * is served yet); the checkpoint thread starts at the next write.
   */
  startUpDone(): void;
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints (page copies and, under synchronous=NORMAL, the fsyncs) off the event loop:
 * better-sqlite3 runs them inside whichever commit crosses the threshold, which stalls every
 * request and webhook send of the process for that commit. A worker thread checkpoints on a timer
 * instead; should it fail, the main connection checkpoints automatically again.
 *
 * The thread costs ≈ 10 MiB of RSS (an isolate and its own connection). With `deferred`, a server
 * process starts it at its first write after start-up (startUpDone), not at open: an idle process
 * has nothing to checkpoint, and one that writes gets the thread within one interval. Until the
 * thread runs, SQLite's own automatic checkpoint stays on (a context that never calls startUpDone,
 * or a long start-up, keeps a bounded WAL).
 */
export function startWalCheckpointer(sqlite: SQLite.Database, file: string, onError: (message: string) => void, options: { deferred?: boolean } = {}): WalCheckpointer {
  let stopped = false;
  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  let watch: NodeJS.Timeout | undefined;
  const fallBack = () => {
    if (!stopped && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  const start = () => {
    sqlite.pragma('wal_autocheckpoint = 0');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS } });
    thread.unref();
    thread.on('message', (message: string) => onError(message));
    thread.on('error', (error) => (onError(error.message), fallBack()));
    thread.on('exit', fallBack);
    exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    worker = thread;
  };
  if (!options.deferred) start();
  // What a write moves: this connection's change count, and the WAL file (for schema changes).
  const totalChanges = sqlite.prepare('select total_changes()').pluck();
  const walFile = `${file}-wal`;
  const writeStamp = () => {
    let wal = '';
    try {
      const stats = fs.statSync(walFile);
      wal = `${stats.size}:${stats.mtimeMs}`;
    } catch {
      // No WAL file yet: nothing written.
    }
    return `${String(totalChanges.get())}:${wal}`;
  };
  return {
    startUpDone() {
      if (worker || watch || stopped) return;
      sqlite.pragma('wal_checkpoint(PASSIVE)');
      const seen = writeStamp();
      watch = setInterval(() => {
        if (stopped || writeStamp() === seen) return;
        clearInterval(watch);
        // The first writes since start-up wait for no thread: one small checkpoint here, then the thread.
        sqlite.pragma('wal_checkpoint(PASSIVE)');
        start();
      }, CHECKPOINT_INTERVAL_MS);
      watch.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(watch);
      if (!worker) return;
      // Referenced again while it closes, or an otherwise idle process could end before it has.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
