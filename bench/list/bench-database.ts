import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export interface BenchDatabase {
  dialect: Dialect;
  /** The Arkiv settings that point at this database (ARKIV_DATA_DIR, DATABASE_URL). */
  env: Record<string, string>;
  drop(): Promise<void>;
}

const postgresAdminUrl = process.env.ARKIV_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database and data dir for one benchmark case; `drop` removes both. */
export async function createBenchDatabase(dialect: Dialect, label: string): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `arkiv-bench-${label}-`));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') return { dialect, env: { ARKIV_DATA_DIR: dataDir }, drop: async () => removeDir() };
  const name = `arkiv_bench_${label.replace(/\W/g, '_')}`;
  await adminQuery(`drop database if exists ${name} with (force)`);
  await adminQuery(`create database ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    env: { ARKIV_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    drop: async () => {
      await adminQuery(`drop database if exists ${name} with (force)`);
      removeDir();
    },
  };
}
