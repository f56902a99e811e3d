import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** What a backup directory holds; restore reads the same names. */
export const BACKUP = {
  manifest: 'arkiv-backup.json',
  /** SQLite: the database, written by SQLite's online backup API. */
  sqlite: 'arkiv.sqlite',
  /** PostgreSQL: pg_dump's custom format, taken at the same snapshot the blob list was read in. */
  pgDump: 'arkiv.pgdump',
  /** The referenced blobs, laid out as the filesystem store does (`sha256/ab/cd/<hash>`). */
  blobs: 'blobs',
  /** The data dir's generated secret key, when there is one (ARKIV_SECRET_KEY is never written). */
  secretKey: 'secret.key',
} as const;

export interface BackupManifest {
  format: 1;
  engine: 'sqlite' | 'postgres';
  createdAt: string;
  reports: number;
  /** Blobs copied into `blobs/` (0 for the postgres blob store: its blobs are in the dump). */
  blobs: number;
  bytes: number;
  /** Whether `secret.key` is in the backup; if not, the same ARKIV_SECRET_KEY must be set to restore. */
  secretKey: boolean;
}

/** A backup or restore that cannot go ahead; the CLI prints the message as one line. */
export class BackupError extends Error {}

export function isEmptyDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/** Every blob file under a backup's `blobs/sha256/`, with the hash its name claims. */
export async function* backupBlobFiles(dir: string): AsyncIterable<{ file: string; sha256: string }> {
  const top = path.join(dir, BACKUP.blobs, 'sha256');
  if (!fs.existsSync(top)) return;
  for (const a of await fs.promises.readdir(top)) {
    for (const b of await fs.promises.readdir(path.join(top, a))) {
      for (const name of await fs.promises.readdir(path.join(top, a, b))) {
        if (/^[0-9a-f]{64}$/.test(name)) yield { file: path.join(top, a, b, name), sha256: name };
      }
    }
  }
}

/** Runs a PostgreSQL client tool (pg_dump, pg_restore); rejects with its stderr on failure. */
export function runPgTool(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => reject(new BackupError(`could not run ${tool} (is the PostgreSQL client installed?): ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BackupError(`${tool} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
  });
}
