import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { isPostgres } from '../db/dialect-sql.js';
import { inTransaction } from '../db/transaction.js';
import { conflict, notFound } from '../http/errors.js';
import './account-tables.js';
import type { Role } from './principal.js';

export interface Membership {
  orgId: string;
  orgName: string;
  role: Role;
  /** The organisation requires a second factor of its members. */
  requireMfa: boolean;
}

export interface Member {
  userId: string;
  email: string;
  role: Role;
  createdAt: string;
}

/** Every organisation a user belongs to, with the user's role there. */
export async function membershipsOf(db: Kysely<Database>, userId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.org_id')
    .select(['memberships.org_id', 'organizations.name', 'memberships.role', 'organizations.require_mfa'])
    .where('memberships.user_id', '=', userId)
    .orderBy('organizations.name')
    .orderBy('organizations.id')
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, orgName: r.name, role: r.role, requireMfa: Number(r.require_mfa) === 1 }));
}

function memberRows(db: Kysely<Database>, orgId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'memberships.role', 'memberships.created_at'])
    .where('memberships.org_id', '=', orgId);
}

const toMember = (r: { id: string; email: string; role: Role; created_at: number }): Member => ({
  userId: r.id,
  email: r.email,
  role: r.role,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function listMembers(db: Kysely<Database>, orgId: string): Promise<Member[]> {
  return (await memberRows(db, orgId).orderBy('users.email').execute()).map(toMember);
}

export async function findMember(db: Kysely<Database>, orgId: string, userId: string): Promise<Member | undefined> {
  const row = await memberRows(db, orgId).where('memberships.user_id', '=', userId).executeTakeFirst();
  return row && toMember(row);
}

/** Adds a user to an organisation; 409 `already_member` when they are in it already. */
export async function addMembership(db: Kysely<Database>, input: { orgId: string; userId: string; role: Role; now: number }): Promise<void> {
  const result = await db
    .insertInto('memberships')
    .values({ org_id: input.orgId, user_id: input.userId, role: input.role, created_at: input.now })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw conflict('already_member', 'This user is already a member of the organisation');
}

/**
 * Changes or removes a membership under the organisation's lock. The rule it keeps: an
 * organisation never loses its last owner. Two owners demoting each other at the same moment must
 * not both succeed, so on PostgreSQL the organisation row is locked first (SQLite runs one write
 * transaction at a time). `decide` sees the current role and may refuse (throw) before anything changes.
 */
export async function changeMembership(
  db: Kysely<Database>,
  input: { orgId: string; userId: string; newRole: Role | null; decide: (current: Role) => void },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockOrganization(trx, input.orgId);
    const current = await trx
      .selectFrom('memberships')
      .select('role')
      .where('org_id', '=', input.orgId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!current) throw notFound('Member');
    input.decide(current.role);
    if (current.role === 'owner' && input.newRole !== 'owner' && (await ownerCount(trx, input.orgId)) <= 1) {
      throw lastOwner();
    }
    if (input.newRole === null) {
      await trx.deleteFrom('memberships').where('org_id', '=', input.orgId).where('user_id', '=', input.userId).execute();
    } else {
      await trx.updateTable('memberships').set({ role: input.newRole }).where('org_id', '=', input.orgId).where('user_id', '=', input.userId).execute();
    }
  });
}

const lastOwner = () => conflict('last_owner', 'The last owner of an organisation cannot be removed or demoted; make someone else an owner first');

/**
 * Removes every membership of a user (account deletion), inside the caller's transaction, under
 * the same rule and locks as changeMembership: 409 `last_owner` when they are the last owner of
 * any organisation, before anything is removed.
 */
export async function removeEveryMembershipOf(trx: Transaction<Database>, userId: string): Promise<void> {
  const owned = await trx.selectFrom('memberships').select('org_id').where('user_id', '=', userId).where('role', '=', 'owner').orderBy('org_id').execute();
  for (const { org_id: orgId } of owned) {
    await lockOrganization(trx, orgId);
    if ((await ownerCount(trx, orgId)) <= 1) throw lastOwner();
  }
  await trx.deleteFrom('memberships').where('user_id', '=', userId).execute();
}

async function lockOrganization(trx: Transaction<Database>, orgId: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await trx.selectFrom('organizations').select('id').where('id', '=', orgId).forUpdate().execute();
}

async function ownerCount(trx: Transaction<Database>, orgId: string): Promise<number> {
  const row = await trx
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What syncMembership did: `kept_last_owner` when the wanted change would have left the organisation without an owner. */
export type MembershipSync = 'added' | 'changed' | 'removed' | 'unchanged' | 'kept_last_owner';

/**
 * Makes a user's membership what an outside source of truth says (SSO group mapping): `role`, or
 * none when null. Under the same lock and rule as changeMembership, except that it never refuses:
 * the last owner stays owner (and the caller logs it), so a group change at the provider cannot
 * leave an organisation nobody can administer.
 */
export async function syncMembership(
  db: Kysely<Database>,
  input: { orgId: string; userId: string; role: Role | null; now: number },
): Promise<{ outcome: MembershipSync; from: Role | null }> {
  return inTransaction(db, async (trx) => {
    await lockOrganization(trx, input.orgId);
    const current = await trx.selectFrom('memberships').select('role').where('org_id', '=', input.orgId).where('user_id', '=', input.userId).executeTakeFirst();
    const from = (current?.role ?? null) as Role | null;
    if (!current) {
      if (input.role === null) return { outcome: 'unchanged', from };
      await trx.insertInto('memberships').values({ org_id: input.orgId, user_id: input.userId, role: input.role, created_at: input.now }).execute();
      return { outcome: 'added', from };
    }
    if (current.role === input.role) return { outcome: 'unchanged', from };
    if (current.role === 'owner' && (await ownerCount(trx, input.orgId)) <= 1) return { outcome: 'kept_last_owner', from };
    if (input.role === null) {
      await trx.deleteFrom('memberships').where('org_id', '=', input.orgId).where('user_id', '=', input.userId).execute();
      return { outcome: 'removed', from };
    }
    await trx.updateTable('memberships').set({ role: input.role }).where('org_id', '=', input.orgId).where('user_id', '=', input.userId).execute();
    return { outcome: 'changed', from };
  });
}
