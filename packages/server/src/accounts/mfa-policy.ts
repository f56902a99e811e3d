import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { hasTotp } from './mfa-store.js';
import type { Role } from './principal.js';

export interface EffectiveRoles {
  roles: Map<string, Role>;
  /** Organisations whose role is withheld because they require a second factor the user lacks. */
  mfaEnrolmentRequired: Set<string>;
}

/**
 * The roles a session carries. Read on every request, so a role change, the organisation turning
 * requireMfa on, or the user turning TOTP off applies at once. Withholding the role (rather than
 * checking in each route) means no org-scoped route can forget the rule.
 */
export async function effectiveRolesOf(db: Kysely<Database>, userId: string): Promise<EffectiveRoles> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.org_id')
    .select(['memberships.org_id', 'memberships.role', 'organizations.require_mfa'])
    .where('memberships.user_id', '=', userId)
    .execute();
  const enrolled = rows.some((r) => Number(r.require_mfa) === 1) && (await hasTotp(db, userId));
  const roles = new Map<string, Role>();
  const mfaEnrolmentRequired = new Set<string>();
  for (const row of rows) {
    if (Number(row.require_mfa) === 1 && !enrolled) mfaEnrolmentRequired.add(row.org_id);
    else roles.set(row.org_id, row.role);
  }
  return { roles, mfaEnrolmentRequired };
}

/** Whether the organisation requires a second factor of its members; undefined for an unknown organisation. */
export async function findMfaPolicy(db: Kysely<Database>, orgId: string): Promise<boolean | undefined> {
  const row = await db.selectFrom('organizations').select('require_mfa').where('id', '=', orgId).executeTakeFirst();
  return row && Number(row.require_mfa) === 1;
}

export async function setMfaPolicy(db: Kysely<Database>, orgId: string, requireMfa: boolean): Promise<void> {
  await db.updateTable('organizations').set({ require_mfa: requireMfa ? 1 : 0 }).where('id', '=', orgId).execute();
}
