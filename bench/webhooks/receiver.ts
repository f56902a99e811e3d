import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const clock = () => performance.timeOrigin + performance.now();

/**
 * A loopback receiver that acknowledges at once and notes when each request arrived. It runs in
 * its own process by default, as a webhook consumer does (and so it does not take the sender's
 * CPU); `inProcess` keeps it beside the sender for comparison.
 */
export interface BenchReceiver {
  url: string;
  /** The receiver's own process, when it has one (for its CPU time). */
  pid: number | undefined;
  /** Resolves when `n` requests have arrived since the last reset. */
  until(n: number, timeoutMs?: number): Promise<void>;
  reset(): Promise<void>;
  /** Arrival times (`clock()`) by the `sequence` field of the body, when present. */
  arrivals(): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** The HTTP side, shared by both modes. */
export class ReceiverState {
  count = 0;
  arrivals = new Map<number, number>();
  private waiter: { n: number; resolve: () => void } | undefined;
  readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = clock();
        res.end();
        const match = /"sequence":(\d+)/.exec(Buffer.concat(chunks).toString('utf8'));
        if (match) this.arrivals.set(Number(match[1]), at);
        this.count++;
        if (this.waiter && this.count >= this.waiter.n) {
          const w = this.waiter;
          this.waiter = undefined;
          w.resolve();
        }
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  until(n: number, timeoutMs: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver got ${this.count} of ${n}`)), timeoutMs);
      this.waiter = { n, resolve: () => (clearTimeout(timer), resolve()) };
    });
  }

  reset(): void {
    this.count = 0;
    this.arrivals.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server.closeAllConnections(), this.server.close(() => resolve())));
  }
}

export async function startBenchReceiver(options: { inProcess?: boolean } = {}): Promise<BenchReceiver> {
  if (options.inProcess) {
    const state = new ReceiverState();
    const url = await state.listen();
    return {
      url,
      pid: undefined,
      until: (n, timeoutMs = 600_000) => state.until(n, timeoutMs),
      reset: async () => state.reset(),
      arrivals: async () => new Map(state.arrivals),
      close: () => state.close(),
    };
  }
  const child = fork(new URL('./receiver-child.ts', import.meta.url), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: object): Promise<T> => {
    const id = Math.random();
    return new Promise((resolve, reject) => {
      const onMessage = (reply: { id: number; error?: string; value: T }) => {
        if (reply.id !== id) return;
        child.off('message', onMessage);
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply.value);
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });
  };
  const url = await ask<string>({ type: 'listen' });
  return {
    url,
    pid: child.pid,
    until: (n, timeoutMs = 600_000) => ask<void>({ type: 'until', n, timeoutMs }),
    reset: () => ask<void>({ type: 'reset' }),
    arrivals: async () => new Map(await ask<Array<[number, number]>>({ type: 'arrivals' })),
    close: async () => {
      await ask<void>({ type: 'close' });
      await stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.disconnect();
  await once(child, 'exit');
}
