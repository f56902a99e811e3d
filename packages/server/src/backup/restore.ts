import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../config.js';
import { createContext } from '../context.js';
import { openDatabase } from '../db/connect.js';
import { stageStream } from '../blobs/staging.js';
import { BACKUP, BackupError, backupBlobFiles, runPgTool, type BackupManifest } from './backup-layout.js';

export interface RestoreResult {
  manifest: BackupManifest;
  blobs: number;
}

/**
 * Restores a backup made by `backup` into the configured installation, which must not be
 * running: the database (SQLite file copied in, or pg_restore), the secret key file, then every
 * blob into the configured store (any kind: a backup of the fs store restores into S3), each
 * checked against its name's SHA-256. A target that holds data is refused unless `force`.
 */
export async function restore(config: Readonly<Config>, dir: string, options: { force: boolean; onProgress?: (message: string) => void }): Promise<RestoreResult> {
  const manifest = readManifest(dir);
  const engine = config.databaseUrl ? 'postgres' : 'sqlite';
  if (manifest.engine !== engine) throw new BackupError(`${dir} is a backup of a ${manifest.engine} installation; this one is configured for ${engine}`);
  if (!manifest.secretKey && !config.secretKey) throw new BackupError('the backup holds no secret.key: set the ARKIV_SECRET_KEY the backed-up installation used');
  const secretTarget = path.join(config.dataDir, BACKUP.secretKey);
  if (engine === 'sqlite') {
    const target = path.join(config.dataDir, BACKUP.sqlite);
    if (fs.existsSync(target) && !options.force) throw new BackupError(`${config.dataDir} already holds a database (arkiv.sqlite): pass --force to replace it`);
    fs.mkdirSync(config.dataDir, { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
    fs.copyFileSync(path.join(dir, BACKUP.sqlite), target);
  } else {
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
    try {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = 'public'`.execute(database.db);
      if (rows[0]!.n > 0 && !options.force) throw new BackupError('the database in DATABASE_URL is not empty: pass --force to replace its contents');
    } finally {
      await database.close();
    }
    await runPgTool('pg_restore', ['--no-owner', ...(options.force ? ['--clean', '--if-exists'] : []), `--dbname=${config.databaseUrl}`, path.join(dir, BACKUP.pgDump)]);
  }
  options.onProgress?.('database restored');
  if (manifest.secretKey && !config.secretKey) {
    if (fs.existsSync(secretTarget) && !options.force && fs.readFileSync(secretTarget, 'utf8') !== fs.readFileSync(path.join(dir, BACKUP.secretKey), 'utf8')) {
      throw new BackupError(`${secretTarget} holds another key: pass --force to replace it`);
    }
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.copyFileSync(path.join(dir, BACKUP.secretKey), secretTarget);
  }
  // The context migrates a backup taken by an older version and builds the configured store.
  const ctx = await createContext(config);
  let blobs = 0;
  try {
    for await (const blob of backupBlobFiles(dir)) {
      const staged = await stageStream(fs.createReadStream(blob.file), ctx.stagingDir, Number.MAX_SAFE_INTEGER);
      if (staged.sha256 !== blob.sha256) {
        fs.rmSync(staged.path, { force: true });
        throw new BackupError(`${blob.file} does not match its SHA-256: the backup is damaged`);
      }
      await ctx.blobs.put(staged);
      if (++blobs % 100 === 0) options.onProgress?.(`${blobs} blobs restored`);
    }
  } finally {
    await ctx.database.close();
    (ctx.blobs as { close?: () => void }).close?.();
  }
  options.onProgress?.(`${blobs} blobs restored`);
  return { manifest, blobs };
}

function readManifest(dir: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, BACKUP.manifest), 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${dir} holds no Arkiv backup (${BACKUP.manifest} is missing or unreadable)`);
  }
  if (manifest.format !== 1) throw new BackupError(`${dir}: unknown backup format ${String(manifest.format)}`);
  return manifest;
}
