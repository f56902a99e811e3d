import { AppError, invalidParameter, invalidVersion } from '../http/errors.js';
import { SECURITY_RATINGS } from './report-model.js';
import { parseVersion } from './versions.js';

/** Validated metadata of one report, as uploads and integrations supply it. */
export interface ReportMetadata {
  projectName: string;
  projectVersion: string;
  versionKey: string;
  reportType: string;
  reportVersion: number;
  date: string;
  dateMs: number;
  vulnerabilitiesCount: number;
  securityRating: string;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_TEXT = 200;

function text(fields: Record<string, unknown>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value.trim() === '') throw invalidParameter(`${name} is required`);
  if (value.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(value)) {
    throw invalidParameter(`${name} must be at most ${MAX_TEXT} printable characters`);
  }
  return value.trim();
}

function wholeNumber(fields: Record<string, unknown>, name: string, min: number, max: number): number {
  const raw = fields[name];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidParameter(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** Date.parse rolls 2024-02-30 over into March; a stored date must name a day that exists. */
function isRealCalendarDay(date: string): boolean {
  const [year, month, day] = date.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
}

/**
 * Checks every metadata field of an upload or import; throws an AppError naming the first bad one.
 * `date` keeps the caller's ISO 8601 text (with its offset and precision) as the seed shows it.
 */
export function validateReportMetadata(fields: Record<string, unknown>): ReportMetadata {
  const projectName = text(fields, 'projectName');
  const projectVersion = text(fields, 'projectVersion');
  const parsed = parseVersion(projectVersion);
  if (!parsed) throw invalidVersion('projectVersion', projectVersion);
  const reportType = text(fields, 'reportType');
  const reportVersion = wholeNumber(fields, 'reportVersion', 0, 1_000_000);
  const date = text(fields, 'date');
  const dateMs = Date.parse(date);
  if (!ISO_DATE_TIME.test(date) || Number.isNaN(dateMs) || !isRealCalendarDay(date)) {
    throw invalidParameter('date must be an ISO 8601 date-time with offset, e.g. 2025-12-17T09:05:48+00:00');
  }
  const vulnerabilitiesCount = wholeNumber(fields, 'vulnerabilitiesCount', 0, 1_000_000_000);
  const securityRating = typeof fields.securityRating === 'string' ? fields.securityRating.trim().toUpperCase() : '';
  if (!(SECURITY_RATINGS as readonly string[]).includes(securityRating)) {
    throw new AppError(400, 'invalid_parameter', 'securityRating must be one of A, B, C, D, E');
  }
  return { projectName, projectVersion, versionKey: parsed.key, reportType, reportVersion, date, dateMs, vulnerabilitiesCount, securityRating };
}
