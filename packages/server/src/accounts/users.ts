import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import './account-tables.js';
import { hashPassword } from './passwords.js';

export interface User {
  id: string;
  email: string;
}

/** One address is one account, however it is typed. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Loose on purpose: the address is a login name here, nothing is ever mailed to it. */
export const isPlausibleEmail = (email: string) => /^[^\s@]+@[^\s@]+$/.test(normalizeEmail(email)) && email.length <= 254;

export async function createUser(
  db: Kysely<Database>,
  input: { email: string; password: string; now: number; passwordKnownToOrg?: string },
): Promise<User> {
  const user = { id: crypto.randomUUID(), email: normalizeEmail(input.email) };
  const password_hash = await hashPassword(input.password);
  await db
    .insertInto('users')
    .values({ ...user, password_hash, created_at: input.now, password_changed_at: input.now, password_known_to_org: input.passwordKnownToOrg ?? null })
    .execute();
  return user;
}

export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('users').select(['id', 'email', 'password_hash', 'password_known_to_org']).where('email', '=', normalizeEmail(email)).executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').select(['id', 'email', 'password_hash']).where('id', '=', id).executeTakeFirst();
}

/**
 * Stores a password hash. `changedAt` marks a new password (callers then revoke sessions as their
 * rule requires); without it the same password was only re-hashed with stronger parameters.
 */
export async function setPasswordHash(db: Kysely<Database>, userId: string, passwordHash: string, changedAt?: number): Promise<void> {
  await db
    .updateTable('users')
    // A new password is the user's (or the operator's) own: no organisation knows it any more.
    .set(changedAt === undefined ? { password_hash: passwordHash } : { password_hash: passwordHash, password_changed_at: changedAt, password_known_to_org: null })
    .where('id', '=', userId)
    .execute();
}
