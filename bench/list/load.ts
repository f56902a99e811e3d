import autocannon from 'autocannon';
import type { RunningChild } from './child.js';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Server CPU time (user + system) per request, µs. */
  cpuMicrosPerRequest: number;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

/**
 * Drives one URL with autocannon from this process (the servers run in their own). A warm-up run
 * is discarded so both servers are measured with a hot JIT and warm caches. Any error, timeout or
 * non-2xx response fails the measurement: figures from failing requests mean nothing.
 */
export async function measure(server: RunningChild, path: string, options: LoadOptions): Promise<LoadFigures> {
  const url = server.url + path;
  const run = (duration: number) => autocannon({ url, connections: options.connections, duration });
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  const cpuBefore = await server.cpuMicros();
  const result = await run(options.durationSeconds);
  const cpuUsed = (await server.cpuMicros()) - cpuBefore;
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`);
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    cpuMicrosPerRequest: cpuUsed / result.requests.total,
  };
}
