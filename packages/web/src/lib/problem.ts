import type { Problem as WireProblem } from '@arkiv/client/types';

/**
 * Turns an API error response into one sentence a person can act on. The server answers errors
 * with application/problem+json (`code`, `message`, `detail`, `title`); anything else (a proxy's
 * HTML page, an empty body) still yields a message that names the status.
 */
export type Problem = Pick<WireProblem, 'status' | 'code' | 'message'>;

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was not valid',
  401: 'Your session has ended; please sign in again',
  403: 'You do not have permission for this action',
  404: 'Not found',
  409: 'This conflicts with the current state',
  413: 'The upload is too large',
  415: 'This file type is not accepted',
  429: 'Too many requests; wait a moment and try again',
  500: 'The server failed unexpectedly; try again later',
  502: 'The server is unreachable (bad gateway)',
  503: 'The server is unavailable; try again later',
};

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function problemFrom(status: number, body: unknown): Problem {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = text(fields.code) ?? (status === 0 ? 'network_error' : `http_${status}`);
  const message =
    text(fields.message) ??
    text(fields.detail) ??
    text(fields.error) ??
    text(fields.title) ??
    STATUS_TEXT[status] ??
    (status === 0 ? 'The server could not be reached; check your connection' : `The request failed (HTTP ${status})`);
  return { status, code, message };
}

/** Parses a body that may be JSON, problem+json, or neither. */
export function parseBody(contentType: string | null, raw: string): unknown {
  if (raw === '') return undefined;
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The parsed response body, for problems with extension members (login's mfaToken). */
  readonly body: unknown;
  constructor(problem: Problem, body?: unknown) {
    super(problem.message);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.body = body;
  }
}

/** The message to show for anything caught in the UI. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong';
}
