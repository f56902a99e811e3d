import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RunningChild {
  url: string;
  pid: number;
  /** CPU time (user + system, µs) the child has used so far: per-request cost, robust to a busy machine. */
  cpuMicros(): Promise<number>;
  /** Asks the child to close its server and waits for it to exit (profiles are written then). */
  stop(): Promise<void>;
}

/**
 * Runs a server in its own process, so the load generator never shares its event loop. The child
 * sends `{ url }` once it listens, answers 'cpu' with `{ cpu }` and closes itself on 'stop'. Its
 * stdout (logs) is discarded; stderr is shown.
 */
export function startChild(
  module: string,
  options: { env?: Record<string, string>; execArgv?: string[]; init?: unknown } = {},
): Promise<RunningChild> {
  const child: ChildProcess = fork(fileURLToPath(new URL(module, import.meta.url)), [], {
    execArgv: ['--conditions=arkiv-source', '--import', 'tsx', ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${module} exited with ${code} before it listened`)));
    child.once('message', (message) => {
      const url = (message as { url?: unknown }).url;
      if (typeof url !== 'string') return reject(new Error(`${module} sent ${JSON.stringify(message)}`));
      resolve({
        url,
        pid: child.pid!,
        cpuMicros: () =>
          new Promise((answer) => {
            child.once('message', (reply) => answer((reply as { cpu: number }).cpu));
            child.send('cpu');
          }),
        stop: async () => {
          if (child.exitCode === null) child.send('stop');
          await exited;
        },
      });
    });
    if (options.init !== undefined) child.send({ init: options.init });
  });
}

/** For the child side: reports CPU use on 'cpu'; runs `close` and exits on 'stop' or when the parent goes away. */
export function serveParent(close: () => Promise<void>): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void close().finally(() => process.disconnect?.());
  };
  process.on('message', (message) => {
    if (message === 'stop') stop();
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpu: user + system });
    }
  });
  process.once('disconnect', stop);
}
