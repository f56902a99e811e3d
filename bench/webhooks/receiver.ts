import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback receiver that acknowledges at once and notes when each request arrived. */
export interface BenchReceiver {
  url: string;
  count: number;
  /** Arrival time (performance.now()) by the `sequence` field of the body, when present. */
  arrivals: Map<number, number>;
  /** Resolves when `count` reaches `n`. */
  until(n: number, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  let waiter: { n: number; resolve: () => void } | undefined;
  const receiver: BenchReceiver = {
    url: '',
    count: 0,
    arrivals: new Map(),
    until(n, timeoutMs = 600_000) {
      if (receiver.count >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`receiver got ${receiver.count} of ${n}`)), timeoutMs);
        waiter = { n, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
    reset() {
      receiver.count = 0;
      receiver.arrivals.clear();
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.end();
      const body = Buffer.concat(chunks);
      const match = /"sequence":(\d+)/.exec(body.toString('utf8'));
      if (match) receiver.arrivals.set(Number(match[1]), at);
      receiver.count++;
      if (waiter && receiver.count >= waiter.n) {
        const w = waiter;
        waiter = undefined;
        w.resolve();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
