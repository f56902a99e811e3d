import { apiErrorFrom, ArkivTransportError } from './errors.js';
import type { DiskFilePart } from './node-upload.js';

export type QueryValue = string | number | boolean | Date | readonly string[] | undefined;

export interface ClientOptions {
  /** Base URL of the Arkiv server, e.g. http://127.0.0.1:8080 (a path prefix is kept). */
  baseUrl: string;
  /** An API token (`arkiv_…`); sent as `Authorization: Bearer`. Reads need none unless the org opted in. */
  token?: string;
  /** Defaults to the platform's `fetch`. */
  fetch?: typeof fetch;
}

interface RequestOptions {
  query?: Record<string, QueryValue>;
  json?: unknown;
  form?: FormData;
  /** Node only: a multipart body streamed from files on disk (see node-upload.ts). */
  diskUpload?: { fields: Record<string, string>; files: DiskFilePart[] };
  signal?: AbortSignal;
  /** Statuses that are answers, not errors (e.g. 204 of the archive route). */
  accept?: readonly number[];
}

/** Builds `path?query`; arrays repeat the parameter (`reports=a&reports=b`) as seed 000 does. */
export function buildUrl(baseUrl: string, path: string, query: Record<string, QueryValue> = {}): URL {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) url.searchParams.append(name, v instanceof Date ? v.toISOString() : String(v));
  }
  return url;
}

/** One place that sends requests: auth header, JSON bodies, problem+json errors. */
export class HttpTransport {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    new URL(options.baseUrl); // A malformed base URL fails here, not on the first request.
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** A caller-supplied fetch (a proxy, a test double) must see every request, uploads included. */
  get usesPlatformFetch(): boolean {
    return this.options.fetch === undefined;
  }

  /** Sends a request; a status outside 2xx (and `accept`) becomes an ArkivApiError. */
  async send(method: string, path: string, request: RequestOptions = {}): Promise<Response> {
    const url = buildUrl(this.options.baseUrl, path, request.query);
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let body: RequestInit['body'] = request.form;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    }
    let response: Response;
    try {
      const upload = request.diskUpload;
      response = upload
        ? await (await import('./node-upload.js')).postMultipartFromDisk(url, headers, upload.fields, upload.files, request.signal)
        : await this.fetch(url, { method, headers, body, signal: request.signal });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw new ArkivTransportError(`cannot reach ${url.origin}: ${causeOf(error)}`, { cause: error });
    }
    if ((response.status >= 200 && response.status < 300) || request.accept?.includes(response.status)) return response;
    throw await apiErrorFrom(response);
  }

  async json<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, request);
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw new ArkivTransportError(`${method} ${path} answered ${response.status} without a JSON body`, { cause: error });
    }
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
