import type { Dispatcher } from 'undici';
import { loadUndici } from '../shared/load-undici.js';
import { isWebhookTargetRefused } from './target-guard.js';

/** The most of a response body we read; the rest is discarded unread. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** The most of it we keep in the delivery log. */
const STORED_RESPONSE_BYTES = 4 * 1024;

export interface AttemptRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  dispatcher: Dispatcher;
  /** Aborts the attempt without it counting (graceful shutdown releases the delivery instead). */
  cancel: AbortSignal;
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
  /** Why it failed, for the log: a short stable phrase, never a stack. */
  error: string | null;
  durationMs: number;
  /** True when `cancel` fired: not an attempt at all. */
  cancelled: boolean;
}

/**
 * One POST. Success is any 2xx within the deadline, which covers the whole exchange including the
 * (bounded) response body. Redirects are not followed: a 3xx is a failed attempt.
 */
export async function sendAttempt(input: AttemptRequest): Promise<AttemptResult> {
  const started = performance.now();
  // One controller and one timer per attempt: AbortSignal.any() over the dispatcher's long-lived
  // cancel signal costs more than the request's own work and keeps dependents until collected.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), controller.abort()), input.timeoutMs);
  const onCancel = () => controller.abort();
  if (input.cancel.aborted) controller.abort();
  else input.cancel.addEventListener('abort', onCancel, { once: true });
  const finish = (fields: Omit<AttemptResult, 'durationMs' | 'cancelled'>): AttemptResult => ({
    ...fields,
    durationMs: Math.round(performance.now() - started),
    cancelled: input.cancel.aborted,
  });
  try {
    const response = await loadUndici().request(input.url, {
      method: 'POST',
      headers: input.headers,
      body: input.body,
      dispatcher: input.dispatcher,
      signal: controller.signal,
    });
    const body = await readBounded(response.body, MAX_RESPONSE_BYTES);
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return finish({
      ok,
      status: response.statusCode,
      headers: flattenHeaders(response.headers),
      body: body.subarray(0, STORED_RESPONSE_BYTES).toString('utf8'),
      error: ok ? null : `HTTP ${response.statusCode}`,
    });
  } catch (error) {
    return finish({ ok: false, status: null, headers: null, body: null, error: describeFailure(error, timedOut, input.timeoutMs) });
  } finally {
    clearTimeout(timer);
    input.cancel.removeEventListener('abort', onCancel);
  }
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    // Leaving the loop destroys the stream: the rest is never read (nor the connection reused).
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

function describeFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timeout after ${timeoutMs} ms`;
  if (isWebhookTargetRefused(error)) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) if (e.name === 'WebhookTargetRefusedError') return `target refused: ${e.message}`;
  }
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? 'request failed';
  return code ? `${code}: ${message}`.slice(0, 500) : message.slice(0, 500);
}
