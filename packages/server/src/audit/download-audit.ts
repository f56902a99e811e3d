import { Transform } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { appendAudit, type AuditActor, type AuditEntry } from './audit-log.js';

export interface DownloadRecord {
  orgId: string;
  /** The request's principal (actorOf), or `{ kind: 'share', id }` for a share link. */
  actor: AuditActor;
  address: string | null;
  reportIds: readonly string[];
  /** `zip` for an archive, else the file kind (html, pdf). */
  format: string;
  /** The length announced in Content-Length. */
  size: number;
}

/**
 * Wraps a download body so that it is recorded once the response ends, however it ends: with
 * the body bytes the response took (`bytes`) and whether all of them went out (`complete`). A
 * client that disconnects midway is recorded with what it got so far (what the operating system
 * still held unsent when the connection went is counted as sent: no socket API tells more).
 * The entry is written after the response (batched with others, see DownloadAuditQueue): the
 * download's own latency never waits for it.
 */
export function auditedDownload(ctx: Pick<AppContext, 'db' | 'log' | 'now'>, response: ServerResponse, record: DownloadRecord): Transform {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  response.once('close', () => {
    const complete = response.writableFinished && bytes === record.size;
    // Bytes the response accepted but had not yet handed to the socket never left.
    const sent = complete ? bytes : Math.max(0, bytes - response.writableLength);
    queueFor(ctx).push({
      orgId: record.orgId,
      action: 'report.download',
      actor: record.actor,
      address: record.address,
      details: { reportIds: [...record.reportIds], format: record.format, size: record.size, bytes: sent, complete },
      at: ctx.now(),
    });
  });
  return counter;
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
