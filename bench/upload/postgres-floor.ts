import crypto from 'node:crypto';
import pg from 'pg';
import { copyFileAsChunks } from '../../packages/server/src/blobs/copy-binary-in.js';
import { DEFAULT_CHUNK_BYTES } from '../../packages/server/src/blobs/postgres-store.js';

/**
 * PostgreSQL's own floor for the postgres blob store: the body file written into `blob_chunks`
 * by the store's binary COPY straight from this process (one transaction, committed), with no
 * HTTP, multipart or staging in front. Bytes per second; the rows are deleted afterwards.
 */
export async function measurePostgresFloor(databaseUrl: string, file: string, bytes: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const key = `bench-floor/${crypto.randomUUID()}`;
  try {
    const started = process.hrtime.bigint();
    await client.query('begin');
    await client.query('insert into blobs (blob_key, size, sha256, created_at) values ($1, $2, $3, $4)', [key, bytes, '', Date.now()]);
    await copyFileAsChunks(client as pg.PoolClient, file, key, DEFAULT_CHUNK_BYTES, 16 * DEFAULT_CHUNK_BYTES);
    await client.query('commit');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await client.query('delete from blobs where blob_key = $1', [key]);
    return bytes / seconds;
  } finally {
    await client.end();
  }
}
