import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distIndex = path.join(webRoot, 'dist', 'index.html');
const lockDir = path.join(webRoot, 'node_modules', '.arkiv-e2e-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!fs.existsSync(distIndex)) return true;
  const built = fs.statSync(distIndex).mtimeMs;
  const sources = Math.max(newestSource(path.join(webRoot, 'src')), newestSource(path.join(webRoot, 'public')), ...['index.html', 'vite.config.ts'].map((f) => fs.statSync(path.join(webRoot, f)).mtimeMs));
  return sources > built;
}

/**
 * The e2e tests drive the built dashboard the server really serves. Build it when dist is missing
 * or older than the sources. Test files run in parallel and `vite build` empties dist first, so
 * only one process builds at a time (a lock directory); the others wait and re-check.
 */
export async function ensureWebBuild(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (isStale()) {
    fs.mkdirSync(path.dirname(lockDir), { recursive: true });
    let locked = false;
    try {
      fs.mkdirSync(lockDir);
      locked = true;
    } catch {
      // Another test file is building; a lock older than 3 minutes is from a killed run.
      const lock = fs.statSync(lockDir, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > 180_000) fs.rmSync(lockDir, { recursive: true, force: true });
    }
    if (locked) {
      try {
        if (!isStale()) return;
        const vite = path.join(webRoot, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
        const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: webRoot, encoding: 'utf8' });
        if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
        return;
      } finally {
        fs.rmSync(lockDir, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for another process to build the dashboard');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
