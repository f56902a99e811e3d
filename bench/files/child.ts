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

const serverDist = new URL('../../packages/server/dist/', import.meta.url);
const serverSource = new URL('../../packages/server/src/', import.meta.url);

/**
 * The compiled server should be at least as new as its sources, or the bench measures old code:
 * run `npm run build` first (or pass --source). Returns a warning, or undefined when fresh.
 */
/** `--setups sqlite:fs,postgres:s3`: each database with its blob store. */
export function parseSetups(text: string): Array<{ dialect: 'sqlite' | 'postgres'; blobStore: 'fs' | 'postgres' | 's3' }> {
  return text.split(',').map((s) => {
    const [dialect, blobStore] = s.split(':') as ['sqlite' | 'postgres', 'fs' | 'postgres' | 's3'];
    return { dialect, blobStore };
  });
}

export function checkBuildIsFresh(): string | undefined {
  const newest = (dir: URL, extension: string) => {
    let found = { file: '', mtime: 0 };
    for (const entry of fs.readdirSync(fileURLToPath(dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(extension) || entry.name.includes('.test.')) continue;
      const file = `${entry.parentPath}/${entry.name}`;
      const { mtimeMs } = fs.statSync(file);
      if (mtimeMs > found.mtime) found = { file, mtime: mtimeMs };
    }
    return found;
  };
  if (!fs.existsSync(fileURLToPath(serverDist))) throw new Error('packages/server/dist is missing: run `npm run build` first (or pass --source)');
  const source = newest(serverSource, '.ts');
  if (source.mtime > newest(serverDist, '.js').mtime) return `WARNING: ${source.file} is newer than packages/server/dist: run \`npm run build\` first (or pass --source)`;
  return undefined;
}

/**
 * Forks bench/files/server-child.mjs with these Arkiv settings and waits until it listens. By
 * default it runs the compiled server (plain node, as in production); `source` runs the
 * TypeScript sources through tsx, whose loader adds its own memory to the process.
 */
export function startServerChild(env: Record<string, string>, options: { source?: boolean } = {}): Promise<ServerChild> {
  const child = fork(fileURLToPath(new URL('./server-child.mjs', import.meta.url)), [], {
    execArgv: [
      ...(options.source ? ['--conditions=arkiv-source', '--import', 'tsx'] : []),
      // ARKIV_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server there when it exits.
      ...(process.env.ARKIV_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ARKIV_BENCH_CPU_PROF}`] : []),
    ],
    env: { ...process.env, ...env, ARKIV_BENCH_SOURCE: options.source ? '1' : '0' },
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

/** A loopback S3 server in its own process (bench/files/s3-server-child.ts), for the `:s3` setups. */
export function startS3Child(): Promise<{ pid: number; env: Record<string, string>; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./s3-server-child.ts', import.meta.url)), [], {
    execArgv: ['--conditions=arkiv-source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`S3 server child exited with ${code} before it was ready`)));
    child.once('message', (message) => {
      const { endpoint, bucket } = (message as { ready: { endpoint: string; bucket: string } }).ready;
      resolve({
        pid: child.pid!,
        // The suite's stand-in keys (S3RVER/S3RVER), through the SDK's default chain as in production.
        env: { ARKIV_S3_BUCKET: bucket, ARKIV_S3_ENDPOINT: endpoint, ARKIV_S3_FORCE_PATH_STYLE: '1', ARKIV_S3_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true' },
        stop: async () => {
          if (child.exitCode === null && child.connected) child.send('stop');
          await exited;
        },
      });
    });
  });
}
