/** Shapes of the API responses the dashboard reads (see GET /openapi.json). */
// The client package owns the wire shapes it shares with the dashboard; type-only, nothing is bundled.
export type { ReportListItem as Report, Organization, Scope, ApiToken } from '@arkiv/client/types';
export type Role = 'member' | 'admin' | 'owner';

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
}

export interface Session {
  user: { id: string; email: string };
  memberships: Membership[];
  csrfToken: string;
}

export interface Member {
  userId: string;
  email: string;
  role: Role;
}

/** Administrators and Owners see settings, the org ID, webhooks, tokens and members. */
export const isAdminRole = (role: Role | undefined): boolean => role === 'admin' || role === 'owner';
