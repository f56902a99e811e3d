import type { Config } from './config.js';
import { createContext, type AppContext } from './context.js';
import { buildApp, type App } from './http/app.js';
import { installFeatures } from './features.js';
import { releaseStartUpMemory } from './shared/release-start-up-memory.js';

export interface RunningServer {
  ctx: AppContext;
  app: App;
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** false: build the app (for its routes and hooks) but do not listen. */
  api?: boolean;
  ctx?: AppContext;
  /**
   * The process is `arkiv serve` or `arkiv worker`: start-up's heap is given back before serving, and
   * (when the context is created here) SQLite's checkpoint thread waits for the first write.
   */
  serverProcess?: boolean;
}

/**
 * Starts one Arkiv process: API (unless apiEnabled is false) and, when config.runWorker, the
 * background workers. `close` stops workers first (they finish or release in-flight work), then
 * the HTTP server, then the database.
 */
export async function startServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  const ctx = options.ctx ?? (await createContext(config, { deferCheckpointThread: options.serverProcess === true }));
  let app: App | undefined;
  let url = '';
  try {
    // Twice: once loading and migrating are done (the peak of start-up is the young generation they
    // grew, before the app adds its own), once the app is ready and before the first request.
    if (options.serverProcess) await releaseStartUpMemory();
    await installFeatures(ctx);
    app = await buildApp(ctx);
    await app.ready();
    if (options.serverProcess) await releaseStartUpMemory();
    ctx.database.startUpDone();
    if (options.api !== false) {
      url = await app.listen({ host: config.host, port: config.port });
      // With port 0 the default public URL named no real port: point it at the one we got.
      if (config.port === 0 && ctx.config.publicUrl.endsWith(':0')) ctx.config = Object.freeze({ ...ctx.config, publicUrl: url });
    }
  } catch (error) {
    // A port in use or a bad feature must not leave the database pool (and the process) hanging.
    await app?.close().catch(() => {});
    await ctx.database.close().catch(() => {});
    throw error;
  }
  if (config.runWorker) for (const worker of ctx.workers) worker.start();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // One deadline for the whole shutdown: a request stuck on a client that stopped reading (an
      // upload refused mid-body, a full disk) or a hung worker must not keep the process alive.
      const deadline = Date.now() + config.shutdownGraceSeconds * 1000;
      const left = () => Math.max(0, deadline - Date.now());
      await withDeadline(Promise.allSettled(ctx.workers.map((w) => w.stop())), left());
      const appClosed = app.close();
      if (!(await withDeadline(appClosed, left()))) {
        ctx.log.warn({ graceSeconds: config.shutdownGraceSeconds }, 'shutdown: requests still open after the grace period; closing their connections');
        app.server.closeAllConnections();
        await withDeadline(appClosed, 1000);
      }
      await withDeadline(ctx.database.close(), Math.max(1000, left()));
    })());
  return { ctx, app, url, close };
}

/** Resolves true when `work` settles within `ms`, false when the deadline passed first. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
