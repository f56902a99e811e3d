import { fork } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ServerChild {
  pid: number;
  url: string;
  baselineUrl: string;
  orgId: string;
  uploadToken: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** Forks bench/files/server-child.ts with these Arkiv settings and waits until it listens. */
export function startServerChild(env: Record<string, string>): Promise<ServerChild> {
  const child = fork(fileURLToPath(new URL('./server-child.ts', import.meta.url)), [], {
    // ARKIV_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server there when it exits.
    execArgv: ['--conditions=arkiv-source', '--import', 'tsx', ...(process.env.ARKIV_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ARKIV_BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server child exited with ${code} before it was ready`)));
    child.once('message', (message) => {
      const ready = (message as { ready?: Omit<ServerChild, 'pid' | 'stop'> }).ready;
      if (!ready) return reject(new Error(`server child sent ${JSON.stringify(message)}`));
      resolve({
        ...ready,
        pid: child.pid!,
        stop: async () => {
          if (child.exitCode === null && child.connected) child.send('stop');
          await exited;
        },
      });
    });
  });
}

/** The kernel's figures for a process, in bytes: current and peak resident set size. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS, so a measurement starts clean. */
export function resetPeak(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
