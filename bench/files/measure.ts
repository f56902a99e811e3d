import http from 'node:http';
import { memoryOf, resetPeak } from './child.js';

export interface Download {
  bytes: number;
  seconds: number;
  /** Bytes per second over the whole transfer, first byte of the request to the last of the body. */
  throughput: number;
  /** The server process's peak RSS during this transfer (VmHWM, reset just before it). */
  peakRss: number;
}

/**
 * GETs `url` over loopback and throws the body away, counting it; the server process `pid` has its
 * peak RSS reset before and read after. A body shorter than Content-Length is an error.
 */
export async function measureDownload(url: string, pid: number): Promise<Download> {
  resetPeak(pid);
  const started = process.hrtime.bigint();
  const { bytes, expected } = await new Promise<{ bytes: number; expected: number }>((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`${url} answered ${response.statusCode}`));
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.once('end', () => resolve({ bytes, expected: Number(response.headers['content-length']) }));
      response.once('error', reject);
    });
    request.once('error', reject);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { peak } = memoryOf(pid);
  if (bytes !== expected) throw new Error(`${url}: received ${bytes} of ${expected} bytes`);
  return { bytes, seconds, throughput: bytes / seconds, peakRss: peak };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
