import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '../test/test-server.js';
import { sampleFields, uploadForm, type UploadFields } from '../test/fixtures.js';

/** A request a receiver got: raw body bytes as sent, headers as Node parsed them. */
export interface Received {
  /** The request's path and query (which endpoint it was sent to). */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: number;
}

export type Responder = (request: Received, res: ServerResponse) => void | Promise<void>;

export interface Receiver {
  url: string;
  received: Received[];
  /** Replaces how it answers (default: 200 at once). */
  respond: Responder;
  /** Resolves once `predicate` holds over everything received; rejects after `timeoutMs`. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that records every request. */
export async function startReceiver(respond: Responder = (_r, res) => void res.end('ok')): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    received,
    respond,
    waitFor(predicate, timeoutMs = 15_000) {
      if (predicate(received)) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: condition not met within ${timeoutMs} ms (${received.length} requests received)`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(request);
      for (const waiter of [...waiters]) waiter();
      void Promise.resolve(receiver.respond(request, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

export async function api<T = any>(server: TestServer, method: string, path: string, body?: unknown, token = server.tokens.admin): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Creates an endpoint through the API; returns its id and secret. */
export async function createWebhook(server: TestServer, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const created = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, body);
  if (created.status !== 201) throw new Error(`create webhook: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

export async function uploadReport(server: TestServer, fields: Partial<UploadFields> = {}): Promise<{ id: string }> {
  const response = await fetch(`${server.url}/security/report`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.tokens.upload}` },
    body: uploadForm(sampleFields(fields)),
  });
  if (response.status !== 201 && response.status !== 200) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/** Polls until `check` returns a value other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A clock tests move by hand; install it with `startTestServer(dialect, env, clock.install)`. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  const clock = {
    now: start,
    install: (ctx: { now: () => number }) => {
      ctx.now = () => clock.now;
    },
  };
  return clock;
}

/** Makes the dispatcher look for due deliveries now (after the clock moved). */
export function wakeDispatcher(server: TestServer): void {
  for (const worker of server.ctx.workers) (worker as { wake?: () => void }).wake?.();
}

export async function deliveryRow(server: TestServer, id: string) {
  return server.ctx.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A real `arkiv worker` process on the given data dir / database (the way operators run it). */
export function spawnWorker(options: { dataDir: string; databaseUrl: string | undefined; env?: Record<string, string> }): ChildProcess {
  const args = ['--conditions=arkiv-source', '--import', 'tsx', MAIN, 'worker', '--data-dir', options.dataDir];
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ARKIV_SECRET_KEY: TEST_SECRET_KEY, ARKIV_WEBHOOK_ALLOW_PRIVATE: '1', ARKIV_LOG_LEVEL: 'error', ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

const endedOnPurpose = new WeakSet<ChildProcess>();

/**
 * Rejects as soon as a worker exits without `endWorker` having asked it to, so a worker that dies
 * at start fails the test at once instead of at its timeout. Race it against the test's waits.
 */
export function unexpectedExitOf(child: ChildProcess): Promise<never> {
  const died = new Promise<never>((_resolve, reject) => {
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!endedOnPurpose.has(child)) reject(new Error(`worker ${child.pid} exited on its own (code ${code}, signal ${signal})`));
    };
    if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
    else child.once('exit', onExit);
  });
  died.catch(() => {}); // observed through Promise.race; never an unhandled rejection
  return died;
}

/** Ends a worker: SIGTERM (graceful) or SIGKILL (crash); resolves when it has exited. */
export function endWorker(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  endedOnPurpose.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  return exited;
}

export const TEST_SECRET_KEY = 'test-secret-key-test-secret-key-0123456789';
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
