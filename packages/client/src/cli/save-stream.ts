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
    throw error;
  }
}
