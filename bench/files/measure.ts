import fs from 'node:fs';
import http from 'node:http';
import { memoryOf, resetPeak } from './child.js';

export interface Download {
  bytes: number;
  seconds: number;
  /** Bytes per second over the whole transfer, first byte of the request to the last of the body. */
  throughput: number;
  /** The server process's peak RSS during this transfer (VmHWM, reset just before it). */
  peakRss: number;
  /**
   * CPU seconds (user + system) the server process spent on this transfer: all its threads, and its
   * main (event-loop) thread alone; `store` is the S3 server child's, when there is one. CPU time
   * is what the transfer costs whatever else runs on the machine, unlike MiB/s.
   */
  cpu: { server: number; serverMain: number; store?: number };
}

/** CPU seconds (user + system) of a process (all threads) or, with `thread`, of one of its threads. */
export function cpuSecondsOf(pid: number, thread?: number): number {
  const stat = fs.readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux this runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/**
 * GETs `url` over loopback and throws the body away, counting it; the server process `pid` has its
 * peak RSS reset before and read after. A body shorter than Content-Length is an error.
 */
export async function measureDownload(url: string, pid: number, storePid?: number): Promise<Download> {
  resetPeak(pid);
  const cpuBefore = { server: cpuSecondsOf(pid), serverMain: cpuSecondsOf(pid, pid), store: storePid ? cpuSecondsOf(storePid) : 0 };
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
  const cpu = {
    server: cpuSecondsOf(pid) - cpuBefore.server,
    serverMain: cpuSecondsOf(pid, pid) - cpuBefore.serverMain,
    ...(storePid ? { store: cpuSecondsOf(storePid) - cpuBefore.store } : {}),
  };
  if (bytes !== expected) throw new Error(`${url}: received ${bytes} of ${expected} bytes`);
  return { bytes, seconds, throughput: bytes / seconds, peakRss: peak, cpu };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
