import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DialectName } from '../db/connect.js';

/**
 * Which engines the suite runs on. scripts/test.mjs sets ARKIV_TEST_DIALECTS after probing
 * PostgreSQL (mandatory in CI, skipped with a clear message on a laptop without it).
 */
export const testDialects: DialectName[] = (process.env.ARKIV_TEST_DIALECTS ?? 'sqlite')
  .split(',')
  .map((d) => d.trim())
  .filter((d): d is DialectName => d === 'sqlite' || d === 'postgres');

export const postgresAdminUrl = process.env.ARKIV_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  dialect: DialectName;
  /** A fresh data dir (SQLite file, blobs, secret key). */
  dataDir: string;
  /** Set for PostgreSQL: a database created for this test and dropped by `drop`. */
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, empty database per call: tests never share state. */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-test-'));
  if (dialect === 'sqlite') {
    return { dialect, dataDir, databaseUrl: undefined, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `arkiv_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    dataDir,
    databaseUrl: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresAdminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
