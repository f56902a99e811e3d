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
  /** The length announced in Content-Length. */
  size: number;
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
  response.once('close', () => {
    const complete = response.writableFinished;
    const head = Buffer.byteLength((response as unknown as { _header?: string | null })._header ?? '');
    const sent = complete ? record.size : Math.min(record.size, Math.max(0, (socket?.bytesWritten ?? writtenBefore) - writtenBefore - head));
    queueFor(ctx).push({
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
 * Downloads that end together are appended in one transaction (a group commit): one chain-head
 * lock and one commit per organisation and batch instead of one per download, which is what kept
 * the audit log's cost on a busy download path near zero (docs/benchmarks.md). A batch is written
 * on the next turn of the event loop; a failed write is logged and its entries are lost.
 */
class DownloadAuditQueue {
  private pending: AuditEntry[] = [];
  private scheduled = false;

  constructor(private readonly ctx: Pick<AppContext, 'db' | 'log'>) {}

  push(entry: AuditEntry): void {
    this.pending.push(entry);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.ctx.db.transaction().execute((trx) => appendAudit(trx, batch));
    } catch (error) {
      this.ctx.log.error({ err: error, entries: batch.length }, 'could not record downloads in the audit log');
    } finally {
      // Downloads that ended during the write form the next batch.
      this.scheduled = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}

const queues = new WeakMap<object, DownloadAuditQueue>();

function queueFor(ctx: Pick<AppContext, 'db' | 'log'>): DownloadAuditQueue {
  let queue = queues.get(ctx.db);
  if (!queue) queues.set(ctx.db, (queue = new DownloadAuditQueue(ctx)));
  return queue;
}
