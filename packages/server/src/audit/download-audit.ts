import { Transform } from 'node:stream';
import type { ServerResponse } from 'node:http';
import type { AppContext } from '../context.js';
import { appendAudit, type AuditActor } from './audit-log.js';

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
 * The entry is written after the response: the download's own latency never waits for it.
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
    const at = ctx.now();
    ctx.db
      .transaction()
      .execute((trx) =>
        appendAudit(trx, {
          orgId: record.orgId,
          action: 'report.download',
          actor: record.actor,
          address: record.address,
          details: { reportIds: [...record.reportIds], format: record.format, size: record.size, bytes: sent, complete },
          at,
        }),
      )
      .catch((error: unknown) => ctx.log.error({ err: error, orgId: record.orgId }, 'could not record a download in the audit log'));
  });
  return counter;
}
