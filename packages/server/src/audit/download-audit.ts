import type { ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { appendAudit, type AuditActor, type AuditEntry } from './audit-log.js';

/** Who downloads: the request's principal (requestSource), or `{ kind: 'share', id }` for a share link. */
export interface DownloadSource {
  actor: AuditActor;
  address: string | null;
}

export interface DownloadRecord extends DownloadSource {
  orgId: string;
  reportIds: readonly string[];
  /** `zip` for an archive, else the file kind (html, pdf). */
  format: string;
  /** The length announced in Content-Length; null for a body generated as it streams (a SARIF export). */
  size: number | null;
  /** For a body of unknown length: the bytes handed to the response so far (counted by the caller). */
  sentBytes?: () => number;
}

/**
 * Records a download once its response ends, however it ends: `complete` when every byte of the
 * announced length went out, else `bytes`, what the connection took of the body before the client
 * went away (counted on the socket, minus the response head; what the operating system still held
 * unsent is counted as sent: no socket API tells more). Call it just before sending the body. No
 * stream stage is added: the download path stays exactly as fast as without the audit log, and
 * the entry is written after the response, batched with others (DownloadAuditQueue).
 */
export function recordDownload(ctx: Pick<AppContext, 'db' | 'log' | 'now'>, response: ServerResponse, record: DownloadRecord): void {
  const socket = response.socket;
  // A kept-alive connection has carried earlier responses: only what it writes from here counts.
  const writtenBefore = socket?.bytesWritten ?? 0;
  const queue = queueFor(ctx);
  queue.opened();
  response.once('close', () => {
    const complete = response.writableFinished;
    const head = Buffer.byteLength((response as unknown as { _header?: string | null })._header ?? '');
    const sent =
      record.sentBytes?.() ??
      (complete ? record.size! : Math.min(record.size ?? Infinity, Math.max(0, (socket?.bytesWritten ?? writtenBefore) - writtenBefore - head)));
    queue.closed({
      orgId: record.orgId,
      action: 'report.download',
      actor: record.actor,
      address: record.address,
      details: { reportIds: [...record.reportIds], format: record.format, size: record.size, bytes: sent, complete },
      at: ctx.now(),
    });
  });
}

/**
 * Writes the download entries still queued, once every download under way has ended (each ends
 * when the server closes its connection), and waits for writes in progress: the server's close
 * calls it (Fastify onClose, after in-flight requests), so a download that ended just before a
 * shutdown or SIGTERM is in the log. A download still open after `waitMs` is not waited for.
 */
export function flushDownloadAudit(ctx: Pick<AppContext, 'db' | 'log'>, waitMs = 5000): Promise<void> {
  return queues.get(ctx.db)?.drain(waitMs) ?? Promise.resolve();
}

/** How long an entry waits for others to share its transaction. */
const BATCH_WINDOW_MS = 25;
/** Entries in one transaction at most; more are written right after. */
const MAX_BATCH = 500;

/**
 * Downloads that end close together are appended in one transaction (a group commit): one
 * chain-head lock and one commit per organisation and batch instead of one per download, which is
 * what keeps the audit log's cost on a busy download path within a few per cent
 * (docs/benchmarks.md). A batch is written BATCH_WINDOW_MS after its first entry was queued (at
 * once when it is full), one batch at a time. A failed write is logged and its entries are lost
 * (as a download's entry is when the process dies before it is written).
 */
class DownloadAuditQueue {
  private pending: AuditEntry[] = [];
  /** When the oldest pending entry was queued (performance.now()). */
  private oldest = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** Downloads whose response has not closed yet, and who waits for them all to close. */
  private open = 0;
  private allClosed: Array<() => void> = [];

  constructor(private readonly ctx: Pick<AppContext, 'db' | 'log'>) {}

  opened(): void {
    this.open++;
  }

  closed(entry: AuditEntry): void {
    this.open--;
    if (this.pending.push(entry) === 1) this.oldest = performance.now();
    this.schedule();
    if (this.open === 0) for (const wake of this.allClosed.splice(0)) wake();
  }

  async drain(waitMs: number): Promise<void> {
    if (this.open > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => this.allClosed.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    while (this.writing || this.pending.length > 0) await (this.writing ?? this.write());
  }

  private schedule(): void {
    if (this.writing || this.pending.length === 0) return;
    if (this.pending.length >= MAX_BATCH) void this.write();
    else this.timer ??= setTimeout(() => void this.write(), Math.max(0, this.oldest + BATCH_WINDOW_MS - performance.now()));
  }

  private write(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, MAX_BATCH);
    this.oldest = performance.now();
    return (this.writing = this.ctx.db
      .transaction()
      .execute((trx) => appendAudit(trx, batch))
      .then(
        () => undefined,
        (error: unknown) => this.ctx.log.error({ err: error, entries: batch.length }, 'could not record downloads in the audit log'),
      )
      .finally(() => {
        this.writing = undefined;
        this.schedule();
      }));
  }
}

const queues = new WeakMap<object, DownloadAuditQueue>();

function queueFor(ctx: Pick<AppContext, 'db' | 'log'>): DownloadAuditQueue {
  let queue = queues.get(ctx.db);
  if (!queue) queues.set(ctx.db, (queue = new DownloadAuditQueue(ctx)));
  return queue;
}
