import autocannon from 'autocannon';

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
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
export async function measure(url: string, options: LoadOptions): Promise<LoadFigures> {
  const run = (duration: number) => autocannon({ url, connections: options.connections, duration });
  if (options.warmupSeconds > 0) await run(options.warmupSeconds);
  const result = await run(options.durationSeconds);
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`);
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}
