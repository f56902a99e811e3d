import fs from 'node:fs';
import type { Progress } from './progress.js';

/**
 * Writes a download to `<target>.part`, fsyncs it and renames it to `target`. The rule this keeps:
 * a file under the final name is always complete. On any failure (network, disk, abort, a short
 * transfer) the partial file is removed and the error rethrown.
 */
export async function saveStream(
  body: ReadableStream<Uint8Array>,
  target: string,
  options: { expectedBytes?: number; progress?: Progress } = {},
): Promise<number> {
  const partPath = `${target}.part`;
  let received = 0;
  try {
    const file = await fs.promises.open(partPath, 'w');
    try {
      // Awaiting each write is the back-pressure: the network is read no faster than the disk takes it.
      for await (const chunk of body) {
        await file.write(chunk);
        received += chunk.length;
        options.progress?.advance(chunk.length);
      }
      if (options.expectedBytes !== undefined && received !== options.expectedBytes) {
        throw new Error(`transfer ended after ${received} of ${options.expectedBytes} bytes`);
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.promises.rename(partPath, target);
    return received;
  } catch (error) {
    await fs.promises.rm(partPath, { force: true });
    await body.cancel().catch(() => {});
    throw new DownloadFailed(received, error);
  }
}

/** A download that did not complete; the partial file is already gone. `cause` says why. */
export class DownloadFailed extends Error {
  override name = 'DownloadFailed';

  constructor(
    readonly receivedBytes: number,
    cause: unknown,
  ) {
    super(`the download broke off after ${receivedBytes} bytes (${describe(cause)}); the partial file was removed`, { cause });
  }
}

/** undici reports a dropped connection as "terminated" and keeps the reason in `cause`. */
function describe(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const reason = e?.cause?.code ?? e?.cause?.message;
  return [e?.message ?? String(error), reason].filter(Boolean).join(': ');
}
