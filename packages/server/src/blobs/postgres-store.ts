import fs from 'node:fs';
import { Readable } from 'node:stream';
import type pg from 'pg';
import type { DatabaseHandle } from '../db/connect.js';
import { asStorageFull } from './storage-full.js';
import { blobKeyFor, type BlobStore, type StagedFile } from './blob-store.js';
import { copyBinaryRows } from './copy-binary.js';
import { copyFileAsChunks } from './copy-binary-in.js';

/**
 * Rows of `blob_chunks` hold this many bytes (the last one fewer); a 0-byte blob has no chunks.
 * Reads move rows as raw bytes (binary COPY), so the row size no longer shapes the JS heap; it
 * stays 64 KiB, the size every stored blob was written with.
 */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Bytes moved per query (several rows), both ways: few round trips, bounded memory. */
const BYTES_PER_QUERY = 1024 * 1024;

/**
 * Blobs inside PostgreSQL, so a deployment with several API replicas needs no shared disk: one
 * `blobs` row per blob plus its bytes in `blob_chunks` rows, numbered from 0. Both directions
 * stream: `put` sends the staged file with one binary COPY, read ~1 MiB at a time, inside one
 * transaction (a reader never sees a blob without all its chunks), and `read` fetches ~1 MiB of
 * chunks per query as the consumer asks for them, so memory stays at about two batches whatever
 * the blob's size.
 * Chunk size is fixed per store, not per blob: rows written with another size still read back.
 */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres' as const;
  readonly chunkBytes: number;
  private readonly pool: pg.Pool;

  constructor(database: DatabaseHandle, options: { chunkBytes?: number } = {}) {
    if (!database.pool) throw new Error('the postgres blob store needs a PostgreSQL database (DATABASE_URL)');
    this.pool = database.pool;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  async put(staged: StagedFile): Promise<string> {
    const key = blobKeyFor(staged.sha256);
    try {
      // Refreshing created_at is what keeps the sweeper off a blob already stored. This update
      // and the sweeper's conditional delete lock the same row, so one sees the other's result.
      if (!(await this.touch(key))) await this.insert(key, staged);
    } catch (error) {
      throw asStorageFull(error, 'the PostgreSQL database that holds the blobs');
    } finally {
      await fs.promises.rm(staged.path, { force: true });
    }
    return key;
  }

  /**
   * Claims the key with an `on conflict do nothing` insert first: a concurrent put of the same
   * bytes waits on that row's unique index until the first transaction ends, then finds the blob
   * stored and writes nothing. The transaction commits only when the chunks hash to the key.
   */
  private async insert(key: string, staged: StagedFile): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const claimed = await client.query(
        'insert into blobs (blob_key, size, sha256, created_at) values ($1, $2, $3, $4) on conflict (blob_key) do nothing',
        [key, staged.size, staged.sha256, Date.now()],
      );
      if (claimed.rowCount === 1) await this.writeChunks(client, key, staged);
      // A concurrent put stored it first: publishing counts all the same.
      else await client.query('update blobs set created_at = $2 where blob_key = $1', [key, Date.now()]);
      await client.query('commit');
    } catch (error) {
      // A connection whose rollback fails is unusable: the pool must drop it, not hand it out again.
      await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async writeChunks(client: pg.PoolClient, key: string, staged: StagedFile): Promise<void> {
    // Whole rows per read, so every row but the last holds exactly chunkBytes.
    const readBytes = this.chunkBytes * Math.max(1, Math.floor(BYTES_PER_QUERY / this.chunkBytes));
    const { size, sha256 } = await copyFileAsChunks(client, staged.path, key, this.chunkBytes, readBytes);
    if (sha256 !== staged.sha256 || size !== staged.size) {
      throw new Error(`staged file changed before it was stored (expected ${staged.sha256}/${staged.size}, read ${sha256}/${size})`);
    }
  }

  read(key: string): Readable {
    return new ChunkReader(this.pool, key, this.chunkBytes);
  }

  async has(key: string): Promise<boolean> {
    const result = await this.pool.query('select 1 from blobs where blob_key = $1', [key]);
    return result.rowCount === 1;
  }

  async delete(key: string): Promise<void> {
    // blob_chunks rows go with it (on delete cascade), in the same statement.
    await this.pool.query('delete from blobs where blob_key = $1', [key]);
  }

  /** `blobs.created_at` is when a put last published the blob (see touch). */
  private async touch(key: string): Promise<boolean> {
    const result = await this.pool.query('update blobs set created_at = $2 where blob_key = $1', [key, Date.now()]);
    return result.rowCount === 1;
  }

  /** Pages through the primary key, so no query holds a snapshot or a cursor for the whole walk. */
  async *listBlobs(olderThanMs: number): AsyncIterable<string> {
    for (let after = ''; ; ) {
      const result = await this.pool.query<{ blob_key: string }>(
        'select blob_key from blobs where blob_key > $1 and created_at < $2 order by blob_key limit $3',
        [after, olderThanMs, LIST_PAGE],
      );
      for (const row of result.rows) yield row.blob_key;
      if (result.rows.length < LIST_PAGE) return;
      after = result.rows[result.rows.length - 1]!.blob_key;
    }
  }

  /**
   * One statement: a put's touch that commits first makes the row fresh, and PostgreSQL re-checks
   * `created_at` on the row it waited for, so a just-published blob is never deleted.
   */
  async deleteIfOlderThan(key: string, olderThanMs: number): Promise<boolean> {
    const result = await this.pool.query('delete from blobs where blob_key = $1 and created_at < $2', [key, olderThanMs]);
    return result.rowCount === 1;
  }
}

const LIST_PAGE = 1000;

const missingBlob = (key: string) => Object.assign(new Error(`blob ${key} does not exist`), { code: 'ENOENT' });

/**
 * Fetches about 1 MiB of chunks per query (fewer round trips: ~2× the throughput of one row per
 * query on a busy machine), only when the consumer wants more, plus the next batch ahead
 * so PostgreSQL works while the previous one travels downstream: at most two batches in memory
 * per stream, whatever the blob's size. Each query takes a pooled connection only for its own
 * duration, so a slow client never holds a connection.
 */
class ChunkReader extends Readable {
  private size: number | undefined;
  private seq = 0;
  private sent = 0;
  private queue: Buffer[] = [];
  private ahead: Promise<Buffer[]> | undefined;
  /** About BYTES_PER_QUERY at this store's chunk size (a blob written with larger rows moves more per query). */
  private rowsPerQuery: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly key: string,
    chunkBytes: number,
  ) {
    super({ highWaterMark: chunkBytes });
    this.rowsPerQuery = Math.max(1, Math.floor(BYTES_PER_QUERY / chunkBytes));
  }

  override _read(): void {
    if (this.queue.length > 0) {
      this.push(this.queue.shift());
      return;
    }
    const batch = this.ahead ?? this.nextBatch();
    this.ahead = undefined;
    batch.then(
      (chunks) => {
        if (this.destroyed) return;
        if (chunks.length === 0) {
          this.push(null);
          return;
        }
        if (this.sent < this.size!) {
          this.ahead = this.nextBatch();
          // Its failure is reported by the _read that takes it; until then it must not count as unhandled.
          this.ahead.catch(() => {});
        }
        this.queue = chunks;
        this.push(this.queue.shift());
      },
      (error: Error) => this.destroy(error),
    );
  }

  /** The next chunks in order, or none at the end; fails if the blob or one of its chunks is missing. */
  private async nextBatch(): Promise<Buffer[]> {
    if (this.size === undefined) {
      const result = await this.pool.query<{ size: number }>('select size from blobs where blob_key = $1', [this.key]);
      if (!result.rows[0]) throw missingBlob(this.key);
      this.size = Number(result.rows[0].size);
    }
    if (this.sent >= this.size) return [];
    // Binary COPY: the chunks arrive as the bytes they are (see copy-binary.ts). COPY takes no
    // parameters: the key is a quoted literal, the bounds are integers we computed.
    const client = await this.pool.connect();
    let rows: Buffer[][];
    try {
      rows = await copyBinaryRows(
        client,
        `select seq, data from blob_chunks where blob_key = ${client.escapeLiteral(this.key)} and seq >= ${this.seq} and seq < ${this.seq + this.rowsPerQuery} order by seq`,
      );
    } catch (error) {
      // A COPY that failed midway may leave the connection in any state: the pool must drop it.
      client.release(error as Error);
      throw error;
    }
    client.release();
    const chunks: Buffer[] = [];
    for (const [seq, data] of rows) {
      if (seq!.readInt32BE(0) !== this.seq || this.sent >= this.size) break;
      if (data!.length === 0) break;
      chunks.push(data!);
      this.seq += 1;
      this.sent += data!.length;
    }
    if (this.sent > this.size) throw new Error(`blob ${this.key} has more bytes than its recorded size ${this.size}`);
    if (chunks.length < this.rowsPerQuery && this.sent < this.size) throw new Error(`blob ${this.key} is missing chunk ${this.seq}`);
    return chunks;
  }
}
