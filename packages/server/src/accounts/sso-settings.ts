import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import type { Role } from './principal.js';
import { syncMembership, type MembershipSync } from './memberships.js';
import { revokeTokensCreatedBy } from './tokens.js';
import { withAudit, type AuditActor, type AuditEntry } from '../audit/audit-log.js';
import './sso-tables.js';

export interface SsoSettings {
  /** The provider's group name → the role it gives in this organisation. */
  groupRoles: Record<string, Role>;
  /** Members may not sign in with a password. */
  required: boolean;
}

const RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };
const NO_SSO: SsoSettings = { groupRoles: {}, required: false };

export const ssoRequired = () =>
  new AppError(403, 'sso_required', 'An organisation you belong to requires single sign-on: use "Sign in with SSO"');

export async function readSsoSettings(db: Kysely<Database>, orgId: string): Promise<SsoSettings> {
  const row = await db.selectFrom('org_sso').select(['group_roles', 'required']).where('org_id', '=', orgId).executeTakeFirst();
  return row ? { groupRoles: JSON.parse(row.group_roles) as Record<string, Role>, required: row.required === 1 } : NO_SSO;
}

export async function writeSsoSettings(db: Kysely<Database>, orgId: string, settings: SsoSettings, now: number): Promise<void> {
  const values = { group_roles: JSON.stringify(settings.groupRoles), required: settings.required ? 1 : 0, updated_at: now };
  await db
    .insertInto('org_sso')
    .values({ org_id: orgId, ...values })
    .onConflict((oc) => oc.column('org_id').doUpdateSet(values))
    .execute();
}

/** The highest role any of the person's groups is given, or null when none of them is mapped. */
export function roleForGroups(groupRoles: Record<string, Role>, groups: readonly string[]): Role | null {
  let best: Role | null = null;
  for (const group of groups) {
    const role = Object.hasOwn(groupRoles, group) ? groupRoles[group] : undefined;
    if (role && (best === null || RANK[role] > RANK[best])) best = role;
  }
  return best;
}

/** Password sign-in is refused when any organisation the user belongs to requires SSO. */
export async function requiresSso(db: Kysely<Database>, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('org_sso', 'org_sso.org_id', 'memberships.org_id')
    .select('memberships.org_id')
    .where('memberships.user_id', '=', userId)
    .where('org_sso.required', '=', 1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface SsoMembershipChange {
  orgId: string;
  role: Role | null;
  outcome: MembershipSync;
}

/** Who changes a membership at an SSO sign-in: the provider's group map, not the person signing in. */
const SSO_ACTOR: AuditActor = { kind: 'system', label: 'sso' };

/**
 * On every SSO sign-in, each organisation with a non-empty group map gets the membership the
 * person's groups give: the highest mapped role, or none (an existing membership is removed).
 * Organisations without a map are left alone: their members are managed in Arkiv. As when an
 * administrator demotes someone, API tokens a person created stop working once they are only a
 * member, or no member at all, there.
 */
export async function applySsoRoles(db: Kysely<Database>, userId: string, groups: readonly string[], now: number): Promise<SsoMembershipChange[]> {
  const rows = await db.selectFrom('org_sso').select(['org_id', 'group_roles']).orderBy('org_id').execute();
  const changes: SsoMembershipChange[] = [];
  for (const row of rows) {
    const groupRoles = JSON.parse(row.group_roles) as Record<string, Role>;
    if (Object.keys(groupRoles).length === 0) continue;
    const role = roleForGroups(groupRoles, groups);
    const orgId = row.org_id;
    // The change, the tokens it revokes and its audit entry commit together.
    const { outcome } = await withAudit(
      db,
      async (trx) => {
        const sync = await syncMembership(trx, { orgId, userId, role, now });
        const demoted = (sync.outcome === 'changed' || sync.outcome === 'removed') && role !== 'admin' && role !== 'owner';
        return { ...sync, tokensRevoked: demoted ? await revokeTokensCreatedBy(trx, orgId, userId, now) : 0 };
      },
      ({ outcome: done, from, tokensRevoked }): AuditEntry | null => {
        const base = { orgId, actor: SSO_ACTOR, at: now };
        if (done === 'added') return { ...base, action: 'member.add', details: { userId, role, via: 'sso' } };
        if (done === 'changed') return { ...base, action: 'member.role_change', details: { userId, from, to: role, tokensRevoked, via: 'sso' } };
        if (done === 'removed') return { ...base, action: 'member.remove', details: { userId, role: from, tokensRevoked, via: 'sso' } };
        return null;
      },
    );
    if (outcome !== 'unchanged') changes.push({ orgId, role, outcome });
  }
  return changes;
}
