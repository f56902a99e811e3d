import crypto from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ConfigError, type S3Settings } from '../config.js';
import { AppError } from '../http/errors.js';
import { blobKeyFor, type BlobStore, type StagedFile } from './blob-store.js';

/**
 * Multipart part size. S3 allows at most 10 000 parts and at least 5 MiB per part (but the last),
 * so 8 MiB parts reach 78 GiB; with QUEUE_SIZE parts in flight an upload holds ~32 MiB whatever
 * the blob's size.
 */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** S3's limit for one CopyObject. */
const MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;
const READ_BUFFER_BYTES = 256 * 1024;

export interface S3StoreOptions {
  /** Tests use the 5 MiB minimum to exercise the multipart path with small blobs. */
  partBytes?: number;
  /** Unset in production: the SDK's default chain (env keys, profiles, instance roles). */
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Blobs as objects `<prefix>sha256/<hash>` in one bucket, for deployments whose API replicas share
 * no disk and keep large files out of the database. Uploads stream through lib-storage (multipart
 * beyond one part) while being hashed; a hash or size that differs from the staged file's errors the
 * body before its last part completes, so such bytes never become an object under that key.
 *
 * S3 cannot touch an object or delete it conditionally, so "last published" is the later of the
 * object's LastModified and that of a small marker `<prefix>published/<hash>` that a put of bytes
 * already stored writes. deleteIfOlderThan holds a copy in `<prefix>sweeping/` while it deletes,
 * then looks at the marker: a put that found the blob before the delete wrote the marker first, so
 * the sweep puts the copy back; a put that came later found no blob and uploaded its own.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly partBytes: number;

  constructor(
    readonly settings: S3Settings,
    options: S3StoreOptions = {},
  ) {
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    this.client = new S3Client({
      // S3-compatible stores seldom care about the region, but the SDK needs one to sign.
      region: settings.region ?? (settings.endpoint ? process.env.AWS_REGION || 'us-east-1' : undefined),
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Integrity is ours (SHA-256 of every blob); the SDK's default CRC trailers and aws-chunked
      // bodies are refused by several S3-compatible stores.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      // No socket idle timeout: a download paused by a slow client must not be cut.
      requestHandler: { connectionTimeout: 5000 },
    });
  }

  private objectKey(key: string): string {
    return `${this.settings.prefix}sha256/${hashOf(key)}`;
  }

  private markerKey(key: string): string {
    return `${this.settings.prefix}published/${hashOf(key)}`;
  }

  private quarantineKey(key: string): string {
    return `${this.settings.prefix}sweeping/${hashOf(key)}`;
  }

  /** Start-up check: the bucket exists and these credentials may use it; a ConfigError naming the setting otherwise. */
  async checkAccess(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.settings.bucket }));
    } catch (error) {
      throw startupError(error, this.settings);
    }
  }

  async put(staged: StagedFile): Promise<string> {
    const key = blobKeyFor(staged.sha256);
    try {
      // The marker goes first: a sweep that deletes after this saw it and restores (see class comment).
      if ((await this.lastModified(this.objectKey(key))) !== undefined) {
        await this.call(() => this.client.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: this.markerKey(key), Body: '' })));
        if ((await this.lastModified(this.objectKey(key))) !== undefined) return key;
      }
      await this.upload(this.objectKey(key), staged);
      return key;
    } finally {
      await fs.promises.rm(staged.path, { force: true });
    }
  }

  private async upload(objectKey: string, staged: StagedFile): Promise<void> {
    const hash = crypto.createHash('sha256');
    let size = 0;
    let changed: StagedFileChanged | undefined;
    const verified = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
      flush(callback) {
        const sha256 = hash.digest('hex');
        if (sha256 === staged.sha256 && size === staged.size) return callback();
        changed = new StagedFileChanged(`staged file changed before it was stored (expected ${staged.sha256}/${staged.size}, read ${sha256}/${size})`);
        callback(changed);
      },
    });
    const source = fs.createReadStream(staged.path, { highWaterMark: READ_BUFFER_BYTES });
    source.on('error', (error) => verified.destroy(error));
    source.pipe(verified);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: objectKey, Body: verified, ContentType: 'application/octet-stream' },
      partSize: this.partBytes,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      source.destroy();
      // The cause, even when aborting the parts then failed too (lib-storage throws that instead).
      throw changed ?? storeError(error);
    }
  }

  read(key: string): Readable {
    const objectKey = this.objectKey(key);
    const out = new PassThrough({ highWaterMark: READ_BUFFER_BYTES });
    const abort = new AbortController();
    // A consumer that goes away (client disconnect, aborted ZIP) releases the connection.
    out.once('close', () => abort.abort());
    this.client
      .send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }), { abortSignal: abort.signal })
      .then(async (response) => {
        const body = response.Body as Readable;
        const expected = response.ContentLength;
        let seen = 0;
        const counted = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            callback(null, chunk);
          },
          flush(callback) {
            callback(expected === undefined || seen === expected ? null : new Error(`blob ${key} ended after ${seen} of ${expected} bytes`));
          },
        });
        await pipeline(body, counted, out);
      })
      .catch((error: unknown) => {
        if (out.destroyed) return;
        out.destroy(isMissing(error) ? missingBlob(key) : error instanceof Error && !isServiceError(error) ? error : storeError(error));
      });
    return out;
  }

  async has(key: string): Promise<boolean> {
    return (await this.lastModified(this.objectKey(key))) !== undefined;
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) })));
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.markerKey(key) })));
  }

  /**
   * Two listings (1 request per 1000 keys), no request per blob: the blobs whose object is old,
   * minus those a put re-published since (a fresh marker). deleteIfOlderThan checks again anyway.
   */
  async *listBlobs(olderThanMs: number): AsyncIterable<string> {
    await this.restoreQuarantined();
    const republished = new Set<string>();
    for await (const marker of this.list(`${this.settings.prefix}published/`)) {
      if (marker.lastModified >= olderThanMs) republished.add(marker.key.slice(this.settings.prefix.length + 'published/'.length));
    }
    for await (const object of this.list(`${this.settings.prefix}sha256/`)) {
      const hash = object.key.slice(this.settings.prefix.length + 'sha256/'.length);
      if (HASH.test(hash) && object.lastModified < olderThanMs && !republished.has(hash)) yield blobKeyFor(hash);
    }
  }

  /** The held copy is one CopyObject, which S3 refuses above 5 GiB: such a blob is left, never swept. */
  async deleteIfOlderThan(key: string, olderThanMs: number): Promise<boolean> {
    const objectKey = this.objectKey(key);
    const object = await this.head(objectKey);
    if (!object || object.size > MAX_COPY_BYTES) return false;
    const published = Math.max(object.lastModified, (await this.lastModified(this.markerKey(key))) ?? 0);
    if (published >= olderThanMs) return false;
    const bucket = this.settings.bucket;
    const copySource = (from: string) => `${bucket}/${encodeURI(from)}`;
    try {
      await this.call(() => this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: this.quarantineKey(key), CopySource: copySource(objectKey) })));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey })));
    const marker = await this.lastModified(this.markerKey(key));
    if (marker !== undefined && marker >= olderThanMs) {
      // A put found the blob before our delete and returned its key: the held copy goes back.
      await this.call(() => this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: objectKey, CopySource: copySource(this.quarantineKey(key)) })));
      await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.quarantineKey(key) })));
      return false;
    }
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.quarantineKey(key) })));
    // A put that writes a marker after this read finds no blob and uploads its own; the marker may go.
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: this.markerKey(key) })));
    return true;
  }

  /** A sweep that stopped between its copy and its last delete left a held copy: back where readers look if missing. */
  private async restoreQuarantined(): Promise<void> {
    const bucket = this.settings.bucket;
    for await (const object of this.list(`${this.settings.prefix}sweeping/`)) {
      const hash = object.key.slice(this.settings.prefix.length + 'sweeping/'.length);
      if (!HASH.test(hash)) continue;
      const key = blobKeyFor(hash);
      if (!(await this.has(key))) {
        await this.call(() => this.client.send(new CopyObjectCommand({ Bucket: bucket, Key: this.objectKey(key), CopySource: `${bucket}/${encodeURI(object.key)}` })));
      }
      await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.key })));
    }
  }

  /** Epoch ms of an object's LastModified, undefined when it does not exist. */
  private async lastModified(objectKey: string): Promise<number | undefined> {
    return (await this.head(objectKey))?.lastModified;
  }

  private async head(objectKey: string): Promise<{ lastModified: number; size: number } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }));
      return { lastModified: head.LastModified?.getTime() ?? 0, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storeError(error);
    }
  }

  private async *list(prefix: string): AsyncIterable<{ key: string; lastModified: number }> {
    for (let token: string | undefined; ; ) {
      const page = await this.call(() => this.client.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, lastModified: object.LastModified?.getTime() ?? 0 };
      }
      if (!page.IsTruncated || !page.NextContinuationToken) return;
      token = page.NextContinuationToken;
    }
  }

  /** Runs one SDK call; a missing object stays recognisable (isMissing), anything else becomes storeError. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isMissing(error)) throw error;
      throw storeError(error);
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.client.destroy();
  }
}

const HASH = /^[0-9a-f]{64}$/;

/** Not the store's fault: the bytes read back from staging do not hash to the key (a 500, like the other stores). */
class StagedFileChanged extends Error {}

function hashOf(key: string): string {
  const match = /^sha256\/([0-9a-f]{64})$/.exec(key);
  if (!match) throw new Error(`not a blob key: ${key}`);
  return match[1]!;
}

interface ServiceError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const isServiceError = (error: unknown) => typeof error === 'object' && error !== null && '$metadata' in error;

function isMissing(error: unknown): boolean {
  const e = error as ServiceError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || (isServiceError(error) && e.$metadata?.httpStatusCode === 404);
}

const missingBlob = (key: string) => Object.assign(new Error(`blob ${key} does not exist`), { code: 'ENOENT' });

/**
 * Any failure to talk to the store, as the API reports it: 503 with a stable code and no detail of
 * the store (bucket, endpoint, keys), which stays in the cause for the log.
 */
export function storeError(error: unknown): Error {
  if (error instanceof AppError) return error;
  const failure = new AppError(503, 'blob_store_unavailable', 'The blob store is unavailable; try again later.', { headers: { 'retry-after': '30' } });
  (failure as Error & { cause?: unknown }).cause = error;
  return failure;
}

/** One line naming the setting to fix, for each way HeadBucket fails at start. */
function startupError(error: unknown, settings: S3Settings): ConfigError {
  const e = error as ServiceError & { message?: string };
  const status = e.$metadata?.httpStatusCode;
  const where = `bucket "${settings.bucket}" at ${settings.endpoint ?? 'AWS S3'}`;
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '') && status === undefined) {
    return new ConfigError(`ARKIV_BLOB_STORE=s3 found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an instance role`);
  }
  if (/region is missing/i.test(e.message ?? '')) return new ConfigError('ARKIV_S3_REGION (or AWS_REGION) must be set for AWS S3');
  if (status === 404 || e.name === 'NotFound' || e.name === 'NoSuchBucket') return new ConfigError(`ARKIV_S3_BUCKET: ${where} does not exist`);
  if (status === 403 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
    return new ConfigError(`the S3 store refused the credentials for ${where} (HTTP ${status ?? '403'}): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the instance role`);
  }
  if (status === 301 || status === 400) return new ConfigError(`ARKIV_S3_REGION: ${where} answered HTTP ${status}; is "${settings.region ?? '(unset)'}" the bucket's region?`);
  if (status !== undefined) return new ConfigError(`ARKIV_S3_ENDPOINT: ${where} answered HTTP ${status} to HeadBucket`);
  const code = e.code ?? e.name ?? 'error';
  return new ConfigError(`ARKIV_S3_ENDPOINT: cannot reach ${settings.endpoint ?? 'AWS S3'} (${code}: ${oneLine(e.message)})`);
}

const oneLine = (message: string | undefined) => (message ?? '').split('\n')[0]!.slice(0, 200);
