/** Shapes of the API responses the dashboard reads: generated from the server's schemas (see @arkiv/client/types). */
// Type-only: nothing of the client package is bundled.
export type { Finding, FindingsDiff, FindingsSearch, FindingTrends } from '@arkiv/client/types';
export type { ReportListItem as Report, Organization, Scope, ApiToken, Role, Membership, Session, Member, SigningKey, Invitation, CreatedInvitation, InvitationPreview, SessionSummary, Share, CreatedShare, SharedReports, MfaRequiredProblem, TotpEnrolment, RecoveryCodes, MfaPolicy, AuthConfig, AuditEntry, AuditPage, AuditAction } from '@arkiv/client/types';
import type { Role } from '@arkiv/client/types';

/** Administrators and Owners see settings, the org ID, webhooks, tokens and members. */
export const isAdminRole = (role: Role | undefined): boolean => role === 'admin' || role === 'owner';
