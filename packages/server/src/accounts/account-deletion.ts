/**
 * Deleting a user account (DELETE /api/auth/me, `arkiv user delete`). The account's own rows go:
 * memberships, sessions, password-reset links, and invitations still pending for its email.
 * Organisation data stays: API tokens belong to their organisation (created_by only records who
 * made them), reports and webhooks never name a user.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { removeEveryMembershipOf } from './memberships.js';

export interface DeletedAccount {
  userId: string;
  email: string;
  sessionsEnded: number;
  invitationsWithdrawn: number;
}

/** One transaction: 409 `last_owner` (from removeEveryMembershipOf) leaves everything as it was. */
export function deleteAccount(db: Kysely<Database>, user: { id: string; email: string }): Promise<DeletedAccount> {
  return db.transaction().execute(async (trx) => {
    await removeEveryMembershipOf(trx, user.id);
    const sessions = await trx.deleteFrom('sessions').where('user_id', '=', user.id).executeTakeFirst();
    const invitations = await trx.deleteFrom('invitations').where('email', '=', user.email).where('accepted_at', 'is', null).executeTakeFirst();
    await trx.deleteFrom('password_resets').where('user_id', '=', user.id).execute();
    // Invitations this user sent stay with their organisation, without the sender.
    await trx.updateTable('invitations').set({ created_by: null }).where('created_by', '=', user.id).execute();
    await trx.deleteFrom('users').where('id', '=', user.id).execute();
    return { userId: user.id, email: user.email, sessionsEnded: Number(sessions.numDeletedRows), invitationsWithdrawn: Number(invitations.numDeletedRows) };
  });
}
