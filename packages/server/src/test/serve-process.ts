import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const mainScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');

export interface ServeProcess {
  child: ChildProcess;
  /** Where it listens, as its banner says. */
  url: string;
  /** Everything it has printed so far, stdout and stderr. */
  output(): string;
  /** Its exit code once it has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `arkiv <args>` (a `serve` command) from source in a child process and resolves once it
 * says where it listens. A process that exits before that rejects with what it printed; the
 * caller owns the process from then on and must stop it (SIGTERM) and await `exited`.
 */
export async function startServeProcess(args: string[], env: NodeJS.ProcessEnv, nodeOptions: string[] = []): Promise<ServeProcess> {
  return startArkivProcess(args, env, /Arkiv listening on (\S+)/, nodeOptions);
}

/** The same for any command whose banner matches `banner`; its first group becomes `url`. */
export async function startArkivProcess(args: string[], env: NodeJS.ProcessEnv, banner: RegExp, nodeOptions: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', ...nodeOptions, mainScript, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = banner.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('close', (code) => reject(new Error(`arkiv ${args.join(' ')} exited with ${code}: ${output}`)));
  });
  return { child, url, output: () => output, exited };
}
