/**
 * Wire shapes of the Arkiv API, named. Every shape comes from generated/api-types.ts, which
 * `npm run generate:api-types` writes from the server's route schemas: a field added to a schema
 * reaches the client and the dashboard with no edit here. Field names and types of `ReportListItem`
 * are seed 000's contract. Type-only: nothing here exists at run time.
 */
import type { components, operations } from './generated/api-types.js';

export type { components, operations, paths } from './generated/api-types.js';

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
/** The JSON body of an operation's response with `status`. */
export type ResponseBody<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = Json<operations[Op]['responses'][Status]>;
/** The JSON body an operation takes. */
export type RequestBody<Op extends keyof operations> = Json<NonNullable<operations[Op]['requestBody']>>;
/** The query parameters an operation takes. */
export type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

/** One report as `GET /security/report/list` and the webhook payloads carry it. */
export type ReportListItem = components['schemas']['ReportListItem'];
/** Body of an `application/problem+json` error response. */
export type Problem = components['schemas']['Problem'];

export type ListReportsQuery = Omit<QueryOf<'listReports'>, 'uploadedSince'> & {
  /** A Date is sent as ISO 8601. */
  uploadedSince?: string | Date;
};
export type ListReportsResponse = ResponseBody<'listReports', 200>;
export type StoredReport = components['schemas']['StoredReport'];
export type StoredReportFile = StoredReport['files'][number];
/** Metadata of an upload: the list item's field names (sent as multipart fields). */
export type ReportMetadata = Omit<ReportListItem, 'id' | 'uploadDate'>;
/**
 * Metadata of a SARIF-only upload: the server renders the HTML and PDF and computes the count and
 * rating; reportType is "CWE Top 25" (default) or "OWASP Top 10".
 */
export type SarifOnlyMetadata = Pick<ReportMetadata, 'projectName' | 'projectVersion'> & Partial<Pick<ReportMetadata, 'reportType' | 'reportVersion' | 'date'>>;

/** One finding as the findings API shows it. */
export type Finding = components['schemas']['Finding'];
export type FindingsDiff = ResponseBody<'diffFindings', 200>;
export type FindingsDiffQuery = QueryOf<'diffFindings'>;
export type FindingsSearch = ResponseBody<'searchFindings', 200>;
export type FindingsSearchQuery = QueryOf<'searchFindings'>;
export type FindingTrends = ResponseBody<'findingTrends', 200>;
export type FindingTrendsQuery = QueryOf<'findingTrends'>;

export type Organization = components['schemas']['Organization'];
export type OrganizationUpdate = RequestBody<'updateOrganization'>;
export type ApiToken = components['schemas']['ApiToken'];
/** An organisation's Ed25519 signing key as admins see it (GET /api/orgs/{orgId}/signing-keys). */
export type SigningKey = components['schemas']['SigningKey'];
export type Scope = ApiToken['scopes'][number];
export type CreatedToken = ResponseBody<'createToken', 201>;

/** The logged-in user, their memberships and the CSRF token (`GET /api/auth/me`, login). */
export type Session = components['schemas']['Session'];
export type Membership = Session['memberships'][number];
export type Role = Membership['role'];
export type Member = components['schemas']['Member'];
export type Invitation = components['schemas']['Invitation'];
export type CreatedInvitation = ResponseBody<'createInvitation', 201>;
export type InvitationPreview = ResponseBody<'getInvitation', 200>;
export type SessionSummary = components['schemas']['SessionSummary'];
/** A share link as administrators list it (GET /api/orgs/{orgId}/shares). */
export type Share = components['schemas']['Share'];
export type CreatedShare = ResponseBody<'createShare', 201>;
/** What a share link shows without signing in (GET /api/shares/{token}). */
export type SharedReports = ResponseBody<'getShare', 200>;
/** Login's 401: `mfaToken` is set when `code` is `mfa_required`. */
export type MfaRequiredProblem = components['schemas']['MfaRequiredProblem'];
export type TotpEnrolment = ResponseBody<'startTotpEnrolment', 200>;
export type RecoveryCodes = ResponseBody<'confirmTotpEnrolment', 200>;
export type MfaPolicy = ResponseBody<'getMfaPolicy', 200>;
/** How people can sign in (GET /api/auth/config): whether "Sign in with SSO" is offered. */
export type AuthConfig = ResponseBody<'getAuthConfig', 200>;
/** An organisation's single sign-on settings: provider group → role, and whether SSO is required. */
export type SsoSettings = components['schemas']['SsoSettings'];

export type Webhook = components['schemas']['Webhook'];
export type CreatedWebhook = ResponseBody<'createWebhook', 201>;
export type WebhookInput = RequestBody<'createWebhook'>;
export type WebhookUpdate = RequestBody<'updateWebhook'>;
export type SignatureScheme = Webhook['signatureScheme'];
export type RetryPolicy = NonNullable<Webhook['retryPolicy']>;
export type WebhookFilters = NonNullable<Webhook['filters']>;
export type Delivery = components['schemas']['Delivery'];
export type DeliveryDetail = components['schemas']['DeliveryDetail'];
export type Attempt = DeliveryDetail['attemptLog'][number];

export type Connection = components['schemas']['Connection'];
export type ConnectionKind = Connection['kind'];
export type ConnectionEvent = Connection['lastEvents'][number];
export type EventStatus = ConnectionEvent['status'];
export type ConnectionInput = RequestBody<'updateConnection'>;
export type NewConnection = RequestBody<'createConnection'>;
export type Evaluation = components['schemas']['NexusIqEvaluation'];
export type ImportResult = ResponseBody<'importFromSonarQubeConnection', 201>;
export type ImportedReport = ImportResult['reports'][number];

export type AuditEntry = components['schemas']['AuditEntry'];
export type AuditPage = ResponseBody<'listAuditEntries', 200>;
export type AuditQuery = QueryOf<'listAuditEntries'>;
export type AuditAction = NonNullable<AuditQuery['action']>;
