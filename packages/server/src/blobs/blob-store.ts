import type { Readable } from 'node:stream';

/** A file written to local temporary storage and hashed, not yet part of the store. */
export interface StagedFile {
  path: string;
  size: number;
  sha256: string;
  /** The first bytes, for content checks such as the PDF magic number. */
  head: Buffer;
}

/**
 * Where report artefacts live. Blobs are content-addressed by SHA-256: putting the same bytes
 * twice stores them once, and a key never changes meaning. A blob is complete before `put`
 * resolves, so a database row that names it never points at a half-written file.
 */
export interface BlobStore {
  readonly kind: 'fs' | 'postgres' | 's3';
  /** Moves or copies a staged file into the store; the staged file is consumed. Returns the key. */
  put(staged: StagedFile): Promise<string>;
  /** Streams a blob's bytes; the stream errors if the blob is missing. */
  read(key: string): Readable;
  has(key: string): Promise<boolean>;
  /** Unconditional: racing a put of the same bytes can lose them. The sweeper uses deleteIfOlderThan. */
  delete(key: string): Promise<void>;
  /**
   * Keys of blobs last published before `olderThanMs` (epoch ms). A put of bytes already stored
   * publishes them again: it refreshes that time. Every real store has it; optional only so a
   * wrapper (a test double) need not (the sweeper then skips the store).
   */
  listBlobs?(olderThanMs: number): AsyncIterable<string>;
  /**
   * Deletes the blob only if no put (re)published it at or after `olderThanMs`, atomically with
   * respect to put: a put that returns its key either refreshed the blob before this looked, or
   * stored a new copy. Idempotent; resolves whether this call deleted it. See blobs/blob-sweeper.
   */
  deleteIfOlderThan?(key: string, olderThanMs: number): Promise<boolean>;
}

export const blobKeyFor = (sha256: string) => `sha256/${sha256}`;
