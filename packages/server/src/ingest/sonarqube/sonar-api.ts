import type { Dispatcher } from 'undici';
import { loadUndici } from '../../shared/load-undici.js';
import { isWebhookTargetRefused, WebhookTargetRefusedError } from '../../webhooks/target-guard.js';

/**
 * - `unauthorized`: 401/403, the token or its permissions.
 * - `not_found`: a 404 from any action; only the project lookup turns it into `project_not_found`.
 * - `project_not_found`: the project (or branch) lookup itself answered 404.
 * - `bad_request`: any other 4xx; SonarQube's own `errors[].msg` is kept in `sonarMessage`.
 * - `unavailable`: network error, timeout, 5xx, 429: worth retrying.
 * - `bad_response`: an answer Arkiv cannot use (not JSON, too large, a field missing).
 */
export type SonarQubeFailure = 'unauthorized' | 'not_found' | 'project_not_found' | 'bad_request' | 'unavailable' | 'bad_response';

/**
 * A failed call to SonarQube. `unavailable` is worth retrying; the others are not: a refused token
 * or a missing project stays so until a person acts.
 */
export class SonarQubeError extends Error {
  constructor(readonly failure: SonarQubeFailure, message: string, readonly status?: number, readonly sonarMessage?: string) {
    super(message);
    this.name = 'SonarQubeError';
  }

  get retriable(): boolean {
    return this.failure === 'unavailable';
  }
}

export interface SonarApiOptions {
  /** Base URL of the SonarQube server, with its context path if any (https://host/sonarqube). */
  baseUrl: string;
  /** A user token; sent as HTTP Basic "token:" which every SonarQube version accepts. */
  token: string;
  /** Outbound connector: the webhook target guard's for URLs a non-admin supplied. */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Largest download accepted (the Enterprise PDF): the server's maxUploadBytes. */
  maxBytes?: number;
  /** Largest JSON or text answer accepted; default JSON_MAX_BYTES. */
  jsonMaxBytes?: number;
}

/** A Web API answer (one page of at most 500 items) is far below this; more is a broken or hostile server. */
export const JSON_MAX_BYTES = 16 * 1024 * 1024;

type Params = Record<string, string | number | undefined>;

/** The SonarQube Web API as Arkiv uses it: GET requests, JSON or bytes, errors classified. */
export class SonarApi {
  private readonly base: URL;
  private readonly authorization: string;

  constructor(private readonly options: SonarApiOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.authorization = `Basic ${Buffer.from(`${options.token}:`).toString('base64')}`;
  }

  /** The server's base URL as given: with the version, what per-server caches are keyed by. */
  get baseUrl(): string {
    return this.base.href;
  }

  async json<T>(path: string, params: Params = {}): Promise<T> {
    const { body } = await this.get(path, params, 'application/json', this.options.jsonMaxBytes ?? JSON_MAX_BYTES);
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new SonarQubeError('bad_response', `SonarQube ${path} did not return JSON`);
    }
  }

  async text(path: string, params: Params = {}): Promise<string> {
    return (await this.get(path, params, 'text/plain', this.options.jsonMaxBytes ?? JSON_MAX_BYTES)).body.toString('utf8');
  }

  /** Bytes of a download, or undefined when the server does not offer it (404, 400, 403: not this edition). */
  async optionalBytes(path: string, params: Params = {}): Promise<Buffer | undefined> {
    try {
      return (await this.get(path, params, '*/*', this.options.maxBytes ?? 100 * 1024 * 1024)).body;
    } catch (error) {
      if (error instanceof SonarQubeError && (error.status === 404 || error.status === 400 || error.status === 403)) return undefined;
      throw error;
    }
  }

  /** Never holds more than `limit` bytes: content-length is checked first, then the stream is counted and aborted. */
  private async get(path: string, params: Params, accept: string, limit: number): Promise<{ body: Buffer }> {
    const url = new URL(path, this.base);
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    const tooLarge = new AbortController();
    const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 30_000), tooLarge.signal, ...(this.options.signal ? [this.options.signal] : [])];
    let response;
    try {
      response = await loadUndici().fetch(url, {
        headers: { authorization: this.authorization, accept },
        redirect: 'error',
        signal: AbortSignal.any(signals),
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
    } catch (error) {
      // The target guard refuses private addresses at connect time: that is a refusal, not an outage.
      if (isWebhookTargetRefused(error)) throw findRefusal(error);
      const cause = (error as { cause?: { message?: string } }).cause;
      throw new SonarQubeError('unavailable', `SonarQube is unreachable (${path}): ${cause?.message ?? (error as Error).message}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '');
    if (Number.isFinite(declared) && declared > limit) {
      tooLarge.abort(tooLargeError(path, limit));
      throw tooLargeError(path, limit);
    }
    const body = await readLimited(response.body, limit, path, tooLarge);
    if (response.ok) return { body };
    const status = response.status;
    const said = sonarMessage(body);
    if (status === 401) throw new SonarQubeError('unauthorized', 'SonarQube refused the token (401): check that the SonarQube token is valid and not expired', status, said);
    if (status === 403) {
      throw new SonarQubeError('unauthorized', `SonarQube denied the token access (403) to ${path}: the token's user needs the Browse permission on the project${said ? ` (SonarQube: ${said})` : ''}`, status, said);
    }
    if (status >= 500 || status === 429) throw new SonarQubeError('unavailable', `SonarQube answered ${status} for ${path}${said ? `: ${said}` : ''}`, status, said);
    if (status === 404) throw new SonarQubeError('not_found', `SonarQube answered 404 for ${path}: ${said || 'no message'}`, status, said);
    throw new SonarQubeError('bad_request', `SonarQube refused ${path} (${status}): ${said || 'no message'}`, status, said);
  }
}

const tooLargeError = (path: string, limit: number) =>
  new SonarQubeError('bad_response', `SonarQube ${path} answered with more than ${limit} bytes; the request was aborted`);

/** The body, up to `limit` bytes; past that (declared or counted) the request is aborted and nothing more is read. */
async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number, path: string, abort: AbortController): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > limit) break;
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    throw new SonarQubeError('unavailable', `SonarQube ${path} broke off its answer: ${cause?.message ?? (error as Error).message}`);
  }
  if (size > limit) {
    abort.abort(tooLargeError(path, limit));
    throw tooLargeError(path, limit);
  }
  return Buffer.concat(chunks, size);
}

/** SonarQube's own error text ({"errors":[{"msg":…}]}), shortened; never the whole body. '' when there is none. */
function sonarMessage(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { msg?: string }[] };
    return (Array.isArray(parsed.errors) ? parsed.errors : []).map((e) => e?.msg).filter((m) => typeof m === 'string' && m).join('; ').slice(0, 300);
  } catch {
    return '';
  }
}

function findRefusal(error: unknown): WebhookTargetRefusedError {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) if (e instanceof WebhookTargetRefusedError) return e;
  return error as WebhookTargetRefusedError;
}
