import { isIP } from 'node:net';
import path from 'node:path';

/**
 * Every setting Arkiv reads, in one place. Read once at start, validated, frozen.
 * Each variable is also a flag of `arkiv serve` / `arkiv worker` (see main.ts):
 * ARKIV_PORT=9000 and --port 9000 mean the same.
 */
export interface Config {
  host: string;
  port: number;
  /** PostgreSQL connections per process (plus one for LISTEN). */
  dbPoolSize: number;
  /** `arkiv worker` only: the port of its /metrics and /healthz (undefined: none). */
  metricsPort: number | undefined;
  /** Public base URL used in links printed to users (defaults to http://host:port). */
  publicUrl: string;
  dataDir: string;
  /** postgres://… switches metadata (and optionally blobs) to PostgreSQL; unset = SQLite in dataDir. */
  databaseUrl: string | undefined;
  blobStore: 'fs' | 'postgres' | 's3';
  /** Where ARKIV_BLOB_STORE=s3 keeps blobs; set only then. Credentials come from the AWS SDK's default chain. */
  s3: S3Settings | undefined;
  /** Encrypts secrets at rest; generated into dataDir on first start when unset. */
  secretKey: string | undefined;
  webhookAllowPrivate: boolean;
  maxUploadBytes: number;
  maxArchiveReports: number;
  /** Unauthenticated read requests per minute per client address; 0 disables the limit. */
  readRateLimitPerMinute: number;
  /**
   * Which proxies' X-Forwarded-* headers to believe: false (none) or a comma-separated list of proxy
   * addresses/CIDRs (or loopback, linklocal, uniquelocal). Never "every hop", nor a hop count
   * (Fastify cannot check the peer then): the client would choose its own address and walk past
   * the per-address limits.
   */
  trustProxy: false | string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Run the webhook dispatcher and job workers inside the API process. */
  runWorker: boolean;
  /** Webhook delivery settings (webhooks/): timeout, default retry policy, concurrency, retention. */
  webhooks: WebhookSettings;
  /** Minutes between sweeps of blobs no report references (blobs/blob-sweeper.ts); 0 disables. */
  blobSweepIntervalMin: number;
  /** Longest sleep of the import-job worker between looks when no wake-up arrives. */
  jobPollMs: number;
  /** Seconds a shutdown lets in-flight requests and work finish before it cuts them and exits. */
  shutdownGraceSeconds: number;
  /** Outgoing mail (invitations, password resets); unset: links are returned to whoever made them. */
  mail: MailSettings | undefined;
  /** The furthest ahead a share link's expiry may be set, in days (shares/). */
  shareMaxDays: number;
  /** Single sign-on through an OpenID Provider; unset: password sign-in only. */
  oidc: OidcSettings | undefined;
}

export interface OidcSettings {
  /** Issuer identifier; its /.well-known/openid-configuration is read at the first SSO sign-in. */
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE alone, token endpoint auth `none`). Never logged. */
  clientSecret: string | undefined;
  /** Space-separated, always including openid. */
  scopes: string;
  /** Claim (ID token, else userinfo) holding the person's groups for the organisations' role maps. */
  groupsClaim: string;
}

export interface MailSettings {
  /** smtp://… or smtps://user:pass@host:port; holds the SMTP password, so it is never logged. */
  smtpUrl: string;
  /** The From: of every message, e.g. `Arkiv <arkiv@example.com>`. */
  from: string;
}

/** The longest webhook attempt deadline configuration accepts. */
export const MAX_WEBHOOK_TIMEOUT_MS = 600_000;

export interface WebhookSettings {
  /** Whole-request deadline of one delivery attempt (connect, send, response headers and body). */
  timeoutMs: number;
  /** Default retry policy of endpoints that set none: fixed interval or exponential with jitter. */
  retryStrategy: 'fixed' | 'exponential';
  retryIntervalSeconds: number;
  /** No retry is scheduled later than this after a delivery was (re)queued; past it, it has failed. */
  retryHorizonHours: number;
  /** Deliveries in flight per process, and per endpoint per process. */
  concurrency: number;
  endpointConcurrency: number;
  /** Longest sleep between looks for due deliveries when no wake-up arrives. */
  pollMs: number;
  retentionDays: number;
  /** How long the previous secret still signs after a rotation. */
  secretGraceHours: number;
}

export interface S3Settings {
  bucket: string;
  /** Key prefix inside the bucket ('' or ending in '/'), so one bucket can hold several installations. */
  prefix: string;
  /** Unset: the SDK's default chain (AWS_REGION, profile); S3-compatible stores often need none, so us-east-1 then. */
  region: string | undefined;
  /** https://… of an S3-compatible store (MinIO, Ceph, …); unset = AWS S3. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
}

export interface SettingDoc {
  env: string;
  flag: string;
  description: string;
  default: string;
}

export const SETTINGS: readonly SettingDoc[] = [
  { env: 'ARKIV_HOST', flag: '--host', default: '127.0.0.1', description: 'Address the HTTP server binds to.' },
  { env: 'ARKIV_PORT', flag: '--port', default: '8080', description: 'HTTP port (0 picks a free one).' },
  { env: 'ARKIV_DB_POOL_SIZE', flag: '--db-pool-size', default: '10', description: 'PostgreSQL connections per process (each process also holds one LISTEN connection).' },
  { env: 'ARKIV_METRICS_PORT', flag: '--metrics-port', default: '(unset: none)', description: '`arkiv worker` only: serve /metrics and /healthz on this port of ARKIV_HOST (0 picks a free one).' },
  { env: 'ARKIV_PUBLIC_URL', flag: '--public-url', default: 'http://<host>:<port>', description: 'Base URL shown to users and integrations.' },
  { env: 'ARKIV_DATA_DIR', flag: '--data-dir', default: './data', description: 'SQLite file, blobs and the generated secret key.' },
  { env: 'DATABASE_URL', flag: '--database-url', default: '(unset: SQLite)', description: 'postgres://… to use PostgreSQL.' },
  { env: 'ARKIV_BLOB_STORE', flag: '--blob-store', default: 'fs', description: 'fs (data dir), postgres (needs DATABASE_URL) or s3 (needs ARKIV_S3_BUCKET).' },
  { env: 'ARKIV_S3_BUCKET', flag: '--s3-bucket', default: '(unset)', description: 'Bucket of the s3 blob store; credentials come from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance role).' },
  { env: 'ARKIV_S3_PREFIX', flag: '--s3-prefix', default: '(none)', description: 'Key prefix inside the bucket (e.g. arkiv/).' },
  { env: 'ARKIV_S3_REGION', flag: '--s3-region', default: '(AWS_REGION, else us-east-1)', description: 'Region of the bucket.' },
  { env: 'ARKIV_S3_ENDPOINT', flag: '--s3-endpoint', default: '(AWS S3)', description: 'URL of an S3-compatible store (MinIO, Ceph, …).' },
  { env: 'ARKIV_S3_FORCE_PATH_STYLE', flag: '--s3-force-path-style', default: '0', description: '1 addresses the bucket in the path (http://host/bucket/key), as most S3-compatible stores need.' },
  { env: 'ARKIV_SECRET_KEY', flag: '--secret-key', default: '(generated)', description: 'Key that encrypts secrets at rest (32+ chars).' },
  { env: 'ARKIV_WEBHOOK_ALLOW_PRIVATE', flag: '--webhook-allow-private', default: '0', description: '1 allows loopback/private webhook targets (development, tests).' },
  { env: 'ARKIV_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes', default: '104857600', description: 'Largest accepted file in an upload.' },
  { env: 'ARKIV_MAX_ARCHIVE_REPORTS', flag: '--max-archive-reports', default: '500', description: 'Most report ids one archive request may name.' },
  { env: 'ARKIV_SHARE_MAX_DAYS', flag: '--share-max-days', default: '90', description: 'Longest lifetime of a share link, in days: expiresAt may be at most this far ahead.' },
  { env: 'ARKIV_READ_RATE_LIMIT', flag: '--read-rate-limit', default: '600', description: 'Unauthenticated reads per minute per client address (0 = off).' },
  { env: 'ARKIV_TRUST_PROXY', flag: '--trust-proxy', default: '0', description: 'Reverse proxies whose X-Forwarded-* headers are believed: addresses/CIDRs or loopback, linklocal, uniquelocal, comma-separated.' },
  { env: 'ARKIV_LOG_LEVEL', flag: '--log-level', default: 'info', description: 'fatal|error|warn|info|debug|trace|silent.' },
  { env: 'ARKIV_SHUTDOWN_GRACE_S', flag: '--shutdown-grace-s', default: '10', description: 'Seconds SIGTERM lets in-flight requests finish before it cuts them; the process exits by then.' },
  { env: 'ARKIV_WEBHOOK_TIMEOUT_MS', flag: '--webhook-timeout-ms', default: '10000', description: 'Deadline of one webhook attempt; a delivery lease lasts this plus a margin.' },
  { env: 'ARKIV_WEBHOOK_RETRY_STRATEGY', flag: '--webhook-retry-strategy', default: 'fixed', description: 'Default retry policy: fixed (every interval) or exponential (1 min doubling to 1 h, jittered).' },
  { env: 'ARKIV_WEBHOOK_RETRY_INTERVAL_S', flag: '--webhook-retry-interval-s', default: '3600', description: 'Seconds between attempts under the fixed policy.' },
  { env: 'ARKIV_WEBHOOK_RETRY_HORIZON_H', flag: '--webhook-retry-horizon-h', default: '72', description: 'Hours after which a failing delivery is given up and a continuously failing endpoint disabled.' },
  { env: 'ARKIV_WEBHOOK_CONCURRENCY', flag: '--webhook-concurrency', default: '32', description: 'Webhook requests in flight per worker process.' },
  { env: 'ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY', flag: '--webhook-endpoint-concurrency', default: '4', description: 'Webhook requests in flight per endpoint per worker process.' },
  { env: 'ARKIV_WEBHOOK_POLL_MS', flag: '--webhook-poll-ms', default: '2000', description: 'Longest wait between looks for due deliveries (wake-ups usually come sooner).' },
  { env: 'ARKIV_JOB_POLL_MS', flag: '--job-poll-ms', default: '2000', description: 'Longest wait between looks for queued import jobs (wake-ups usually come sooner).' },
  { env: 'ARKIV_WEBHOOK_RETENTION_DAYS', flag: '--webhook-retention-days', default: '30', description: 'Finished deliveries, their attempts and events are deleted after this many days.' },
  { env: 'ARKIV_BLOB_SWEEP_INTERVAL_MIN', flag: '--blob-sweep-interval-min', default: '60', description: 'Minutes between sweeps that delete blobs no report references (0 = never).' },
  { env: 'ARKIV_SMTP_URL', flag: '--smtp-url', default: '(unset: no mail)', description: 'smtp://host:port or smtps://user:pass@host:port: mails invitations and password resets (links are also returned to the administrator).' },
  { env: 'ARKIV_MAIL_FROM', flag: '--mail-from', default: '(none; needed with ARKIV_SMTP_URL)', description: 'From address of mails, e.g. "Arkiv <arkiv@example.com>".' },
  { env: 'ARKIV_OIDC_ISSUER', flag: '--oidc-issuer', default: '(unset: no SSO)', description: 'OpenID Provider issuer URL (https://; http:// only on loopback): turns on "Sign in with SSO".' },
  { env: 'ARKIV_OIDC_CLIENT_ID', flag: '--oidc-client-id', default: '(none; needed with ARKIV_OIDC_ISSUER)', description: 'Client id Arkiv is registered under at the provider.' },
  { env: 'ARKIV_OIDC_CLIENT_SECRET', flag: '--oidc-client-secret', default: '(unset: public client with PKCE)', description: 'Client secret of that registration (client_secret_basic).' },
  { env: 'ARKIV_OIDC_SCOPES', flag: '--oidc-scopes', default: 'openid email profile', description: 'Scopes asked for; add the one that releases the groups claim if the provider needs it (e.g. groups).' },
  { env: 'ARKIV_OIDC_GROUPS_CLAIM', flag: '--oidc-groups-claim', default: 'groups', description: "Claim (ID token, else userinfo) listing the person's groups, matched against each organisation's SSO role map." },
  { env: 'ARKIV_WEBHOOK_SECRET_GRACE_H', flag: '--webhook-secret-grace-h', default: '24', description: 'Hours the previous webhook secret keeps signing after a rotation.' },
];

export class ConfigError extends Error {}

type Source = Record<string, string | undefined>;

function integer(source: Source, name: string, fallback: number, min: number, max: number): number {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(source: Source, name: string): boolean {
  const raw = source[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${raw}"`);
}

function oneOf<T extends string>(source: Source, name: string, allowed: readonly T[], fallback: T): T {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustedProxies(raw: string | undefined): false | string {
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  const entries = raw.split(',').map((e) => e.trim());
  const valid = entries.every((e) => {
    if (PROXY_NAMES.has(e)) return true;
    const [address, bits, extra] = e.split('/');
    if (extra !== undefined || !address || isIP(address) === 0) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
  });
  if (!valid) {
    throw new ConfigError(`ARKIV_TRUST_PROXY must list the proxies to trust: addresses/CIDRs or loopback, linklocal, uniquelocal (e.g. loopback,10.0.0.0/8), got "${raw}"`);
  }
  return entries.join(',');
}

/** Bucket names as S3 accepts them (3–63 of a-z 0-9 . -), so a typo fails here, not at the first upload. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function s3Settings(source: Source): S3Settings {
  const bucket = source.ARKIV_S3_BUCKET || '';
  if (!bucket) throw new ConfigError('ARKIV_BLOB_STORE=s3 needs ARKIV_S3_BUCKET');
  if (!BUCKET.test(bucket)) throw new ConfigError(`ARKIV_S3_BUCKET is not a valid bucket name (3-63 of a-z, 0-9, '.', '-'), got "${bucket}"`);
  const rawPrefix = (source.ARKIV_S3_PREFIX || '').replace(/^\/+/, '');
  const prefix = rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
  const endpoint = source.ARKIV_S3_ENDPOINT || undefined;
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`ARKIV_S3_ENDPOINT must be an http:// or https:// URL, got "${endpoint}"`);
    }
  }
  return Object.freeze({
    bucket,
    prefix,
    region: source.ARKIV_S3_REGION || undefined,
    endpoint,
    forcePathStyle: flag(source, 'ARKIV_S3_FORCE_PATH_STYLE'),
  });
}

/** Checks the SMTP URL and sender at start; the error names neither password nor full URL. */
export function mailSettings(source: Source): MailSettings | undefined {
  const smtpUrl = source.ARKIV_SMTP_URL || '';
  if (!smtpUrl) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(smtpUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError('ARKIV_SMTP_URL must be smtp://host:port or smtps://user:pass@host:port');
  }
  const from = (source.ARKIV_MAIL_FROM || '').trim();
  if (!from) throw new ConfigError('ARKIV_SMTP_URL needs ARKIV_MAIL_FROM (the sender address)');
  if (!/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(from)) throw new ConfigError(`ARKIV_MAIL_FROM is not an address: "${from}"`);
  return Object.freeze({ smtpUrl, from });
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
/** Scope tokens as RFC 6749 section 3.3 allows them (printable ASCII but space, quote and backslash). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Checks the OpenID Connect settings at start; the provider itself is only contacted at the first
 * SSO sign-in, so a provider that is down does not stop Arkiv from starting. Errors never name the secret.
 */
export function oidcSettings(source: Source): OidcSettings | undefined {
  const issuer = (source.ARKIV_OIDC_ISSUER || '').trim();
  if (!issuer) {
    const stray = ['ARKIV_OIDC_CLIENT_ID', 'ARKIV_OIDC_CLIENT_SECRET'].find((name) => source[name]);
    if (stray) throw new ConfigError(`${stray} is set but ARKIV_OIDC_ISSUER is not: set the issuer URL to turn on SSO`);
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  // Tokens and the person's identity travel over this connection: plain HTTP only where it cannot leave the machine.
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.test(url.hostname))) || url.search || url.hash) {
    throw new ConfigError(`ARKIV_OIDC_ISSUER must be the provider's https:// issuer URL (http:// only on loopback), got "${issuer}"`);
  }
  const clientId = (source.ARKIV_OIDC_CLIENT_ID || '').trim();
  if (!clientId) throw new ConfigError('ARKIV_OIDC_ISSUER needs ARKIV_OIDC_CLIENT_ID (the client id Arkiv is registered under)');
  const scopeList = (source.ARKIV_OIDC_SCOPES || 'openid email profile').trim().split(/\s+/);
  if (!scopeList.includes('openid') || !scopeList.every((scope) => SCOPE_TOKEN.test(scope))) {
    throw new ConfigError(`ARKIV_OIDC_SCOPES must be space-separated scopes including openid, got "${source.ARKIV_OIDC_SCOPES}"`);
  }
  const groupsClaim = (source.ARKIV_OIDC_GROUPS_CLAIM || 'groups').trim();
  if (!/^[\x21-\x7E]{1,200}$/.test(groupsClaim)) throw new ConfigError(`ARKIV_OIDC_GROUPS_CLAIM must be a claim name without spaces, got "${groupsClaim}"`);
  return Object.freeze({
    issuer,
    clientId,
    clientSecret: source.ARKIV_OIDC_CLIENT_SECRET || undefined,
    scopes: [...new Set(scopeList)].join(' '),
    groupsClaim,
  });
}

export function loadConfig(source: Source = process.env): Readonly<Config> {
  const host = source.ARKIV_HOST || '127.0.0.1';
  const port = integer(source, 'ARKIV_PORT', 8080, 0, 65535);
  const metricsPort = source.ARKIV_METRICS_PORT ? integer(source, 'ARKIV_METRICS_PORT', 0, 0, 65535) : undefined;
  const databaseUrl = source.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// (leave it unset for SQLite)');
  }
  const blobStore = oneOf(source, 'ARKIV_BLOB_STORE', ['fs', 'postgres', 's3'] as const, 'fs');
  if (blobStore === 'postgres' && !databaseUrl) {
    throw new ConfigError('ARKIV_BLOB_STORE=postgres needs DATABASE_URL');
  }
  const s3 = blobStore === 's3' ? s3Settings(source) : undefined;
  const secretKey = source.ARKIV_SECRET_KEY || undefined;
  if (secretKey !== undefined && secretKey.length < 32) {
    throw new ConfigError('ARKIV_SECRET_KEY must be at least 32 characters');
  }
  const publicUrl = (source.ARKIV_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`ARKIV_PUBLIC_URL is not a URL: "${publicUrl}"`);
  }
  return Object.freeze({
    host,
    port,
    metricsPort,
    dbPoolSize: integer(source, 'ARKIV_DB_POOL_SIZE', 10, 1, 1000),
    publicUrl,
    dataDir: path.resolve(source.ARKIV_DATA_DIR || './data'),
    databaseUrl,
    blobStore,
    s3,
    secretKey,
    webhookAllowPrivate: flag(source, 'ARKIV_WEBHOOK_ALLOW_PRIVATE'),
    maxUploadBytes: integer(source, 'ARKIV_MAX_UPLOAD_BYTES', 100 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    shutdownGraceSeconds: integer(source, 'ARKIV_SHUTDOWN_GRACE_S', 10, 1, 3600),
    maxArchiveReports: integer(source, 'ARKIV_MAX_ARCHIVE_REPORTS', 500, 1, 100_000),
    readRateLimitPerMinute: integer(source, 'ARKIV_READ_RATE_LIMIT', 600, 0, 10_000_000),
    trustProxy: trustedProxies(source.ARKIV_TRUST_PROXY),
    logLevel: oneOf(source, 'ARKIV_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    runWorker: true,
    webhooks: Object.freeze({
      timeoutMs: integer(source, 'ARKIV_WEBHOOK_TIMEOUT_MS', 10_000, 100, MAX_WEBHOOK_TIMEOUT_MS),
      retryStrategy: oneOf(source, 'ARKIV_WEBHOOK_RETRY_STRATEGY', ['fixed', 'exponential'] as const, 'fixed'),
      retryIntervalSeconds: integer(source, 'ARKIV_WEBHOOK_RETRY_INTERVAL_S', 3600, 1, 7 * 86_400),
      retryHorizonHours: integer(source, 'ARKIV_WEBHOOK_RETRY_HORIZON_H', 72, 0, 24 * 365),
      concurrency: integer(source, 'ARKIV_WEBHOOK_CONCURRENCY', 32, 1, 10_000),
      endpointConcurrency: integer(source, 'ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY', 4, 1, 1000),
      pollMs: integer(source, 'ARKIV_WEBHOOK_POLL_MS', 2000, 10, 3_600_000),
      retentionDays: integer(source, 'ARKIV_WEBHOOK_RETENTION_DAYS', 30, 1, 36_500),
      secretGraceHours: integer(source, 'ARKIV_WEBHOOK_SECRET_GRACE_H', 24, 0, 24 * 365),
    }),
    blobSweepIntervalMin: integer(source, 'ARKIV_BLOB_SWEEP_INTERVAL_MIN', 60, 0, 7 * 24 * 60),
    jobPollMs: integer(source, 'ARKIV_JOB_POLL_MS', 2000, 10, 3_600_000),
    mail: mailSettings(source),
    shareMaxDays: integer(source, 'ARKIV_SHARE_MAX_DAYS', 90, 1, 3650),
    oidc: oidcSettings(source),
  } satisfies Config);
}
