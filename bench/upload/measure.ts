import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { memoryOf, resetPeak } from '../files/child.js';
import type { UploadBody } from './body.js';
import { makeUnique } from './body.js';

const run = promisify(execFile);
const TICKS_PER_SECOND = 100;

export interface Upload {
  seconds: number;
  /** Body bytes per second, as curl timed the transfer (connect to the last byte of the answer). */
  throughput: number;
  /** The server's peak RSS during this upload (VmHWM, reset just before it). */
  peakRss: number;
  /** CPU seconds (user + system) the server process spent on this upload. */
  serverCpu: number;
}

/** User + system CPU seconds of a process so far, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) (utime, stime); `fields` starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * POSTs the body file with curl, streamed from disk (`-T`, without `Expect: 100-continue`), to a
 * server process `pid` whose peak RSS is reset before and read after. Anything but `expected`
 * statuses is an error, with the answer's body.
 */
export async function measureUpload(url: string, body: UploadBody, pid: number, headers: Record<string, string> = {}): Promise<Upload> {
  makeUnique(body);
  const headerArgs = Object.entries({ 'content-type': body.contentType, expect: '', ...headers }).flatMap(([name, value]) => ['-H', `${name}:${value ? ` ${value}` : ''}`]);
  resetPeak(pid);
  const cpuBefore = cpuSecondsOf(pid);
  const { stdout } = await run('curl', ['-sS', '-X', 'POST', '-T', body.file, ...headerArgs, '-w', '\n%{http_code} %{time_total} %{size_upload}', url], { maxBuffer: 1024 * 1024 });
  const serverCpu = cpuSecondsOf(pid) - cpuBefore;
  const { peak } = memoryOf(pid);
  const lines = stdout.split('\n');
  const [status, total, sent] = lines.pop()!.split(' ').map(Number) as [number, number, number];
  if (status !== 201 && status !== 200) throw new Error(`${url} answered ${status}: ${lines.join('\n').slice(0, 500)}`);
  if (sent !== body.bytes) throw new Error(`curl sent ${sent} of ${body.bytes} bytes`);
  return { seconds: total, throughput: body.bytes / total, peakRss: peak, serverCpu };
}
