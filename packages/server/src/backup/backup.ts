import fs from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { FsBlobStore } from '../blobs/fs-store.js';
import { discardStaged, stageStream } from '../blobs/staging.js';
import type { Database } from '../db/schema.js';
import { reportBlobs } from '../reports/report-blob-references.js';
import { BACKUP, BackupError, isEmptyDir, runPgTool, type BackupManifest } from './backup-layout.js';

const COPIES_AT_ONCE = 4;

/**
 * Backs up a running installation into `dir` (empty or new): the database first, as one
 * consistent snapshot, then exactly the blobs that snapshot references, each checked against its
 * recorded SHA-256. Blobs are published before the rows that name them commit and the sweeper
 * leaves referenced blobs alone, so every blob the snapshot names exists while the copy runs.
 *  - SQLite: SQLite's online backup API (better-sqlite3 `backup`) from a read-only connection, in
 *    one step, so writers never restart it; the blob list is read from the copy.
 *  - PostgreSQL: a REPEATABLE READ transaction exports its snapshot, `pg_dump --snapshot` dumps
 *    that very snapshot, and the blob list is read in the same transaction. With the postgres
 *    blob store the blobs are in the dump already.
 */
export async function backup(ctx: AppContext, dir: string, onProgress: (message: string) => void = () => {}): Promise<BackupManifest> {
  if (!isEmptyDir(dir)) throw new BackupError(`${dir} is not empty: back up into a new or empty directory`);
  fs.mkdirSync(dir, { recursive: true });
  const out = new FsBlobStore(path.join(dir, BACKUP.blobs));
  let copied: { reports: number; blobs: number; bytes: number };
  if (ctx.database.dialect === 'sqlite') {
    const { default: Sqlite } = await import('better-sqlite3');
    const file = path.join(dir, BACKUP.sqlite);
    const source = new Sqlite(path.join(ctx.config.dataDir, BACKUP.sqlite), { readonly: true, fileMustExist: true });
    try {
      // All pages in one step: one read transaction, which concurrent commits cannot restart.
      await source.backup(file, { progress: () => 1 << 30 });
    } finally {
      source.close();
    }
    onProgress('database copied (SQLite online backup)');
    const snapshot = new Kysely<Database>({ dialect: new SqliteDialect({ database: new Sqlite(file, { readonly: true }) }) });
    try {
      copied = await copyReferencedBlobs(snapshot, ctx.blobs, out, onProgress);
    } finally {
      await snapshot.destroy();
    }
  } else {
    copied = await ctx.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
      const { rows } = await sql<{ snapshot: string }>`select pg_export_snapshot() as snapshot`.execute(trx);
      await runPgTool('pg_dump', ['--format=custom', '--no-owner', `--snapshot=${rows[0]!.snapshot}`, `--file=${path.join(dir, BACKUP.pgDump)}`, `--dbname=${ctx.config.databaseUrl}`]);
      onProgress('database dumped (pg_dump at the backup snapshot)');
      if (ctx.blobs.kind === 'postgres') return { reports: await countReports(trx), blobs: 0, bytes: 0 };
      return copyReferencedBlobs(trx, ctx.blobs, out, onProgress);
    });
  }
  const secretFile = path.join(ctx.config.dataDir, BACKUP.secretKey);
  const secretKey = !ctx.config.secretKey && fs.existsSync(secretFile);
  if (secretKey) fs.copyFileSync(secretFile, path.join(dir, BACKUP.secretKey));
  fs.rmSync(out.stagingDir, { recursive: true, force: true });
  const manifest: BackupManifest = { format: 1, engine: ctx.database.dialect, createdAt: new Date().toISOString(), ...copied, secretKey };
  fs.writeFileSync(path.join(dir, BACKUP.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function countReports(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('reports').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function copyReferencedBlobs(snapshot: Kysely<Database>, store: BlobStore, out: FsBlobStore, onProgress: (message: string) => void) {
  const reports = await countReports(snapshot);
  let blobs = 0;
  let bytes = 0;
  for await (const batch of reportBlobs(snapshot)) {
    let next = 0;
    const copyNext = async (): Promise<void> => {
      for (let blob = batch[next++]; blob; blob = batch[next++]) {
        const staged = await stageStream(store.read(blob.key), out.stagingDir, Number.MAX_SAFE_INTEGER);
        if (staged.sha256 !== blob.sha256) {
          await discardStaged(staged);
          throw new BackupError(`blob ${blob.key} in the ${store.kind} store does not match its recorded SHA-256: the store holds a corrupt copy`);
        }
        await out.put(staged);
        blobs++;
        bytes += staged.size;
      }
    };
    await Promise.all(Array.from({ length: COPIES_AT_ONCE }, copyNext));
    onProgress(`${blobs} blobs copied (${bytes} bytes)`);
  }
  return { reports, blobs, bytes };
}
