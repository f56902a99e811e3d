import { fetch, type Dispatcher } from 'undici';
import { isWebhookTargetRefused, WebhookTargetRefusedError } from '../../webhooks/target-guard.js';

export type SonarQubeFailure = 'unauthorized' | 'not_found' | 'unavailable' | 'bad_response';

/**
 * A failed call to SonarQube. `unavailable` (network error, timeout, 5xx, 429) is worth retrying;
 * the others are not: a refused token or a missing project stays so until a person acts.
 */
export class SonarQubeError extends Error {
  constructor(readonly failure: SonarQubeFailure, message: string, readonly status?: number) {
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
  /** Largest response body accepted (the Enterprise PDF is the big one). */
  maxBytes?: number;
}

type Params = Record<string, string | number | undefined>;

/** The SonarQube Web API as Arkiv uses it: GET requests, JSON or bytes, errors classified. */
export class SonarApi {
  private readonly base: URL;
  private readonly authorization: string;

  constructor(private readonly options: SonarApiOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.authorization = `Basic ${Buffer.from(`${options.token}:`).toString('base64')}`;
  }

  async json<T>(path: string, params: Params = {}): Promise<T> {
    const { body } = await this.get(path, params, 'application/json');
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new SonarQubeError('bad_response', `SonarQube ${path} did not return JSON`);
    }
  }

  async text(path: string, params: Params = {}): Promise<string> {
    return (await this.get(path, params, 'text/plain')).body.toString('utf8');
  }

  /** Bytes of a download, or undefined when the server does not offer it (404, 400, 403: not this edition). */
  async optionalBytes(path: string, params: Params = {}): Promise<Buffer | undefined> {
    try {
      return (await this.get(path, params, '*/*')).body;
    } catch (error) {
      if (error instanceof SonarQubeError && (error.failure === 'not_found' || error.status === 400 || error.status === 403)) return undefined;
      throw error;
    }
  }

  private async get(path: string, params: Params, accept: string): Promise<{ body: Buffer }> {
    const url = new URL(path, this.base);
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    const signals = [AbortSignal.timeout(this.options.timeoutMs ?? 30_000), ...(this.options.signal ? [this.options.signal] : [])];
    let response;
    try {
      response = await fetch(url, {
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
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > (this.options.maxBytes ?? 100 * 1024 * 1024)) throw new SonarQubeError('bad_response', `SonarQube ${path} answered with more bytes than allowed`);
    if (response.ok) return { body };
    const status = response.status;
    if (status === 401) throw new SonarQubeError('unauthorized', 'SonarQube refused the token (401): check the token and its permissions', status);
    if (status === 404) throw new SonarQubeError('not_found', `SonarQube has no such resource (${path}: 404)`, status);
    if (status >= 500 || status === 429) throw new SonarQubeError('unavailable', `SonarQube answered ${status} for ${path}`, status);
    if (status === 403) throw new SonarQubeError('unauthorized', `SonarQube denied access (403) to ${path}: the token needs Browse permission`, status);
    throw new SonarQubeError('bad_response', `SonarQube answered ${status} for ${path}: ${sonarMessage(body)}`, status);
  }
}

/** SonarQube's own error text ({"errors":[{"msg":…}]}), shortened; never the whole body. */
function sonarMessage(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { msg?: string }[] };
    return (parsed.errors ?? []).map((e) => e.msg).filter(Boolean).join('; ').slice(0, 300) || 'no message';
  } catch {
    return 'no message';
  }
}

function findRefusal(error: unknown): WebhookTargetRefusedError {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) if (e instanceof WebhookTargetRefusedError) return e;
  return error as WebhookTargetRefusedError;
}
