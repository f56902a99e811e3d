/**
 * Every error a client can see. `code` is the stable, machine-readable contract: clients branch on
 * it, never on the message. `alert` says whether an operator should be paged when it happens.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** `members`: extension members of the problem body (RFC 9457 §3.2), such as login's mfaToken. */
    readonly extra: { alert?: boolean; headers?: Record<string, string>; details?: unknown; members?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalidParameter = (message: string, details?: unknown) =>
  new AppError(400, 'invalid_parameter', message, { details });
export const invalidVersion = (parameter: string, value: string) =>
  new AppError(400, 'invalid_version', `${parameter} "${value}" is not a semantic version (e.g. 1.2.3, 1.0 or 2.0.0-beta.1)`);
export const missingVersionFilter = () =>
  new AppError(400, 'missing_version_filter', 'At least one of version, minver or maxver is required');
export const invalidRange = (min: string, max: string) =>
  new AppError(400, 'invalid_range', `minver ${min} is greater than maxver ${max}`);
export const unauthorized = (message = 'A valid API token or session is required') =>
  new AppError(401, 'unauthorized', message, { headers: { 'www-authenticate': 'Bearer realm="arkiv"' } });
export const forbidden = (message = 'You do not have permission for this action') =>
  new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found`);
/** A member of an organisation that requires a second factor, without one: enrolling (POST /api/auth/mfa/totp) lets them in. */
export const mfaEnrolmentRequired = (message = 'This organisation requires a second factor: turn on TOTP for your account to see its data') =>
  new AppError(403, 'mfa_enrolment_required', message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const payloadTooLarge = (limit: number) =>
  new AppError(413, 'payload_too_large', `The upload exceeds the limit of ${limit} bytes`);
export const unsupportedMediaType = (message: string) => new AppError(415, 'unsupported_media_type', message);
/** Seconds a client waits before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
export const databaseUnavailable = () =>
  new AppError(503, 'database_unavailable', 'The database is unavailable; retry after the time in Retry-After', {
    alert: true,
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
export const internalError = () =>
  new AppError(500, 'internal_error', 'An unexpected error occurred; it has been logged', { alert: true });

/**
 * Every `code` the server can answer with: the error catalogue clients branch on. The fuzz suite
 * (http/fuzz.test.ts) fails on a code missing here, and http/error-catalogue.test.ts on a code
 * written in the source but not listed. Add a code here when you add it to a route.
 */
export const ERROR_CODES = [
  // Request shape (any route)
  'invalid_parameter', 'invalid_request', 'unsupported_media_type', 'payload_too_large', 'not_found', 'rate_limited', 'server_busy',
  // Authentication and authorization
  'unauthorized', 'forbidden', 'csrf_failed', 'token_required', 'too_many_attempts', 'invalid_credentials', 'account_unclaimed',
  // Second factor (TOTP)
  'mfa_required', 'invalid_mfa_code', 'mfa_token_invalid', 'mfa_enrolment_required', 'totp_already_enabled', 'totp_not_pending', 'totp_not_enabled',
  // Reports
  'invalid_version', 'missing_version_filter', 'invalid_range', 'invalid_file', 'invalid_pdf', 'invalid_multipart', 'missing_file',
  // Findings (SARIF in)
  'invalid_sarif', 'unsupported_sarif_version', 'unsupported_report_type',
  // Accounts and members
  'already_member', 'last_owner', 'user_exists', 'wrong_account', 'invitation_used', 'invitation_expired', 'reset_link_used', 'reset_link_expired', 'password_too_short', 'password_too_long',
  // Share links
  'unknown_report', 'invalid_expiry', 'share_revoked', 'share_expired',
  // Single sign-on
  'sso_not_configured', 'sso_provider_unavailable', 'sso_state_invalid', 'sso_failed', 'sso_email_unverified', 'sso_required',
  // Webhooks and inbound integrations
  'delivery_in_flight', 'unsupported_event', 'unsupported_algorithm', 'invalid_payload', 'missing_header', 'signature_missing', 'signature_invalid', 'unknown_project',
  'sonarqube_bad_request', 'sonarqube_bad_response', 'sonarqube_project_not_found', 'sonarqube_unauthorized', 'sonarqube_unavailable',
  // The server's own state
  'database_unavailable', 'insufficient_storage', 'blob_store_unavailable', 'internal_error',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Body of an `application/problem+json` response (RFC 9457) plus our stable `code` and `message`. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  message: string;
  detail: string;
  details?: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable', 507: 'Insufficient Storage',
};

export function problemBody(error: AppError): ProblemBody {
  return {
    ...error.extra.members,
    type: `urn:arkiv:error:${error.code}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    code: error.code,
    message: error.message,
    detail: error.message,
    ...(error.extra.details === undefined ? {} : { details: error.extra.details }),
  };
}
