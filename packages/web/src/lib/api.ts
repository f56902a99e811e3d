import { ApiError, parseBody, problemFrom } from './problem.ts';

/**
 * Every request of the dashboard goes through here: same-origin cookies, JSON in and out, errors
 * as ApiError with a readable message. A cookie-authenticated write must carry the session's CSRF
 * token (the server refuses it otherwise), so the token learned at login is sent on every write.
 */
let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeader(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

/** Called when a request answers 401: the session ended, the app returns to the login screen. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function request<T>(method: Method, url: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (method !== 'GET') Object.assign(headers, csrfHeader());
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(problemFrom(0, undefined));
  }
  const raw = await response.text();
  const parsed = parseBody(response.headers.get('content-type'), raw);
  if (!response.ok) {
    if (response.status === 401 && !options.quiet401) onUnauthorized?.();
    throw new ApiError(problemFrom(response.status, parsed), parsed);
  }
  return parsed as T;
}

export const api = {
  get: <T>(url: string, options?: { quiet401?: boolean }) => request<T>('GET', url, undefined, options),
  post: <T>(url: string, body?: unknown, options?: { quiet401?: boolean }) => request<T>('POST', url, body ?? {}, options),
  put: <T>(url: string, body: unknown) => request<T>('PUT', url, body),
  patch: <T>(url: string, body: unknown) => request<T>('PATCH', url, body),
  delete: <T>(url: string, body?: unknown) => request<T>('DELETE', url, body),
};

/** Builds `path?a=1&b=2&b=3` leaving out empty values; arrays repeat the parameter. */
export function withQuery(path: string, params: Record<string, string | number | boolean | undefined | null | readonly string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(name, item);
    else search.append(name, String(value));
  }
  const query = search.toString();
  return query ? `${path}?${query}` : path;
}
