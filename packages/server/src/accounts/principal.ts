/**
 * Who is making a request. Tokens belong to one organisation and carry scopes; users (sessions)
 * carry a role per organisation they belong to. Every route asks `can(...)`, never the kind.
 */
export type Scope = 'read' | 'upload' | 'admin';
export type Role = 'member' | 'admin' | 'owner';

export type Principal =
  | { kind: 'token'; id: string; orgId: string; scopes: ReadonlySet<Scope> }
  | {
      kind: 'user';
      id: string;
      email: string;
      /** Roles in effect: an organisation that requires a second factor the user lacks is left out. */
      roles: ReadonlyMap<string, Role>;
      /** Organisations the user belongs to but may not use until they turn on TOTP (requireMfa). */
      mfaEnrolmentRequired?: ReadonlySet<string>;
    };

export type Permission =
  | 'reports:read'
  | 'reports:write'
  | 'reports:delete'
  /** Settings, org ID, webhooks, tokens, members, integrations. */
  | 'org:admin'
  /** Managing owners. */
  | 'org:owner';

const SCOPE_GRANTS: Record<Scope, readonly Permission[]> = {
  read: ['reports:read'],
  upload: ['reports:read', 'reports:write'],
  admin: ['reports:read', 'reports:write', 'reports:delete', 'org:admin'],
};

const ROLE_GRANTS: Record<Role, readonly Permission[]> = {
  member: ['reports:read'],
  admin: ['reports:read', 'reports:write', 'reports:delete', 'org:admin'],
  owner: ['reports:read', 'reports:write', 'reports:delete', 'org:admin', 'org:owner'],
};

export function can(principal: Principal | null, orgId: string, permission: Permission): boolean {
  if (!principal) return false;
  if (principal.kind === 'token') {
    if (principal.orgId !== orgId) return false;
    return [...principal.scopes].some((scope) => SCOPE_GRANTS[scope].includes(permission));
  }
  const role = principal.roles.get(orgId);
  return role !== undefined && ROLE_GRANTS[role].includes(permission);
}

/** The `initiator` recorded on events: who caused a change. */
export function initiatorOf(principal: Principal | null): string {
  if (!principal) return 'system';
  return principal.kind === 'token' ? `token:${principal.id}` : `user:${principal.id}`;
}

export const SCOPES: readonly Scope[] = ['read', 'upload', 'admin'];
export const ROLES: readonly Role[] = ['member', 'admin', 'owner'];
