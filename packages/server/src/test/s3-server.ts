import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { S3Settings } from '../config.js';

/**
 * A real S3-protocol server on loopback for the suite: @20minutes/s3rver 4.0.4 (a maintained fork
 * of s3rver; its lib/middleware/authentication.js and lib/signature/v4.js check AWS Signature V4,
 * so a wrong secret is refused with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId,
 * as AWS S3 does). It keeps objects as files in a temporary directory. Its one account's keys are
 * S3RVER/S3RVER (lib/models/account.js).
 */
const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer: Server;
  store: { getResourcePath(bucket: string, key: string, resource: string): string };
};

/**
 * One fix to the stand-in, for a bug against the SigV4 spec: the canonical URI is the path as sent,
 * but s3rver rebuilds it from the route ("/bucket"), while the SDK sends bucket-level requests
 * (ListObjectsV2, HeadBucket) as "/bucket/". Every request is still verified; only that one spelling
 * of the URI is taken from the request instead of rebuilt.
 */
/** Keyed by the request's headers object, which s3rver passes on as the canonical request's headers. */
const rawPaths = new WeakMap<object, string>();
const v4 = require('@20minutes/s3rver/lib/signature/v4') as { getStringToSign: (request: { uri: string; headers: object }, ...rest: unknown[]) => string };
const getStringToSign = v4.getStringToSign;
v4.getStringToSign = (request, ...rest) => {
  const raw = rawPaths.get(request.headers);
  return getStringToSign(raw !== undefined && raw === `${request.uri}/` ? { ...request, uri: raw } : request, ...rest);
};

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** Settings for a store in a fresh prefix of the test bucket. */
  settings(prefix?: string): S3Settings;
  /** Where the server keeps an object's bytes: tests age or corrupt it behind the store's back. */
  objectFile(key: string): string;
  /** Cuts every open connection (a crash seen from the client), keeping the data. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startS3Server(options: { bucket?: string; port?: number; directory?: string } = {}): Promise<TestS3Server> {
  const bucket = options.bucket ?? 'arkiv-test';
  const directory = options.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: options.port ?? 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  (server as unknown as { middleware: Array<(ctx: { headers: object; path: string }, next: () => Promise<void>) => Promise<void>> }).middleware.unshift(
    async (ctx, next) => {
      rawPaths.set(ctx.headers, ctx.path);
      await next();
    },
  );
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    settings: (prefix = '') => ({ bucket, prefix, region: 'us-east-1', endpoint, forcePathStyle: true }),
    objectFile: (key) => server.store.getResourcePath(bucket, key, 'object'),
    dropConnections: () => server.httpServer.closeAllConnections(),
    close: async () => {
      server.httpServer.closeAllConnections();
      await server.close();
      if (!options.directory) fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
