import type { Problem } from './types.js';

/** A problem body as received: Arkiv sends every field, but a proxy in between may not. */
export type ReceivedProblem = Partial<Problem> & Pick<Problem, 'code' | 'message'>;

/**
 * An error response of the Arkiv API. Branch on `code` (stable, e.g. `invalid_version`,
 * `unauthorized`), never on `message` (human text that may change).
 */
export class ArkivApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problem?: ReceivedProblem,
  ) {
    super(message);
    this.name = 'ArkivApiError';
  }
}

/** The server could not be reached, or its answer was not what the API promises. */
export class ArkivTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArkivTransportError';
  }
}

const MAX_TEXT = 300;

/** Reads an error response; a non-problem body (a proxy's HTML page) still yields a usable error. */
export async function apiErrorFrom(response: Response): Promise<ArkivApiError> {
  const text = await response.text().catch(() => '');
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const body = JSON.parse(text) as Partial<Problem>;
      if (typeof body.code === 'string') {
        const message = body.message ?? body.detail ?? response.statusText;
        return new ArkivApiError(response.status, body.code, message, { ...body, code: body.code, message });
      }
    } catch {
      // Not JSON after all: fall through to the generic error below.
    }
  }
  const message = text.trim().slice(0, MAX_TEXT) || response.statusText || `HTTP ${response.status}`;
  return new ArkivApiError(response.status, `http_${response.status}`, message);
}
