import { AppError } from '../http/errors.js';

/**
 * A full disk is an operator's problem, not a bug: the client gets 507 insufficient_storage saying
 * where space ran out, nothing half-written is kept (staged files are removed, blobs are published
 * whole or not at all), and what was stored before stays intact.
 *
 * ENOSPC / EDQUOT: a local filesystem (staging, fs blobs); SQLITE_FULL: the SQLite file;
 * 53100 disk_full: PostgreSQL (metadata, postgres blobs).
 */
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', '53100']);

export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FULL_CODES.has(code);
}

export const insufficientStorage = (where: string) =>
  new AppError(507, 'insufficient_storage', `No space left in ${where}; nothing of this request was stored and earlier reports are intact. Retry once an operator has freed space.`, { alert: true });

/** The one mapping every store uses: a full `where` becomes 507, anything else passes through unchanged. */
export function asStorageFull(error: unknown, where: string): unknown {
  return isStorageFull(error) ? insufficientStorage(where) : error;
}
