/**
 * Deleting a user account (DELETE /api/auth/me, `arkiv user delete`). The account's own rows go:
 * memberships, sessions, password-reset links, and invitations still pending for its email.
 * Organisation data stays: API tokens belong to their organisation (created_by only records who
 * made them), reports and webhooks never name a user.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { membershipsOf, removeEveryMembershipOf } from './memberships.js';
import { appendAudit, type AuditActor } from '../audit/audit-log.js';

export interface DeletedAccount {
  userId: string;
  email: string;
  sessionsEnded: number;
  invitationsWithdrawn: number;
}

/** One transaction: 409 `last_owner` (from removeEveryMembershipOf) leaves everything as it was. */
export function deleteAccount(db: Kysely<Database>, user: { id: string; email: string }, source: { actor: AuditActor; address: string | null; at: number }): Promise<DeletedAccount> {
  return db.transaction().execute(async (trx) => {
    const memberships = await membershipsOf(trx, user.id);
    await removeEveryMembershipOf(trx, user.id);
    const sessions = await trx.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst();
    const invitations = await trx.deleteFrom('invitations').where('email', '=', user.email).where('accepted_at', 'is', null).executeTakeFirst();
    await trx.deleteFrom('password_resets').where('user_id', '=', user.id).execute();
    // Invitations this user sent stay with their organisation, without the sender.
    await trx.updateTable('invitations').set({ created_by: null }).where('created_by', '=', user.id).execute();
    await trx.deleteFrom('users').where('id', '=', user.id).execute();
    // Every organisation the account belonged to records that it is gone, and with which role.
    await appendAudit(
      trx,
      memberships.map((m) => ({ orgId: m.orgId, action: 'account.delete', ...source, details: { userId: user.id, email: user.email, role: m.role }, at: source.at })),
    );
    return { userId: user.id, email: user.email, sessionsEnded: Number(sessions.numDeletedRows), invitationsWithdrawn: Number(invitations.numDeletedRows) };
  });
}
