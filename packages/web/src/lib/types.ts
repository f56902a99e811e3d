/** Shapes of the API responses the dashboard reads (see GET /openapi.json). */
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

export interface Report {
  projectName: string;
  id: string;
  reportType: string;
  reportVersion: number;
  projectVersion: string;
  date: string;
  uploadDate: string;
  vulnerabilitiesCount: number;
  securityRating: string;
}

export interface Organization {
  id: string;
  name: string;
  requireReadToken: boolean;
  createdAt: string;
}

export type Scope = 'read' | 'upload' | 'admin';

export interface ApiToken {
  id: string;
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Member {
  userId: string;
  email: string;
  role: Role;
}

/** Administrators and Owners see settings, the org ID, webhooks, tokens and members. */
export const isAdminRole = (role: Role | undefined): boolean => role === 'admin' || role === 'owner';
