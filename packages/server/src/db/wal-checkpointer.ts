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
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints (page copies and, under synchronous=NORMAL, the fsyncs) off the event loop:
 * better-sqlite3 runs them inside whichever commit crosses the threshold, which stalls every
 * request and webhook send of the process for that commit. A worker thread checkpoints on a timer
 * instead; should it fail, the main connection checkpoints automatically again.
 */
export function startWalCheckpointer(sqlite: SQLite.Database, file: string, onError: (message: string) => void): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS } });
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  const fallBack = () => {
    if (!stopped && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  worker.on('message', (message: string) => onError(message));
  worker.on('error', (error) => (onError(error.message), fallBack()));
  worker.on('exit', fallBack);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      stopped = true;
      // Referenced again while it closes, or an otherwise idle process could end before it has.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
