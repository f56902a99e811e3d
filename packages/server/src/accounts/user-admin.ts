/**
 * Account administration outside HTTP: the first-start owner and the `arkiv user …` commands.
 * Same rules as the API: passwords of at least 12 characters, a generated password is shown once,
 * resetting a password ends every session of that user.
 */
import type { Kysely } from 'kysely';
import { ConfigError } from '../config.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import { deleteAccount, type DeletedAccount } from './account-deletion.js';
import { clearFailures, mfaKey, unlockEmail } from './login-throttle.js';
import { CLI_ACTOR, withAudit } from '../audit/audit-log.js';
import { addMembership, membershipsOf } from './memberships.js';
import { removeTotp } from './mfa-store.js';
import { checkNewPassword, generatePassword, hashPassword } from './passwords.js';
import type { Role } from './principal.js';
import { revokeUserSessions } from './sessions.js';
import { createUser, findUserByEmail, isPlausibleEmail, normalizeEmail, setPasswordHash } from './users.js';

export const DEFAULT_ADMIN_EMAIL = 'admin@localhost';

/**
 * The first owner's email: ARKIV_ADMIN_EMAIL or admin@localhost. Checked before anything is
 * created, because the first start runs once: a half-made bootstrap would leave no owner.
 */
export function bootstrapOwnerEmail(env: NodeJS.ProcessEnv = process.env): string {
  const email = env.ARKIV_ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL;
  if (!isPlausibleEmail(email)) throw new ConfigError(`ARKIV_ADMIN_EMAIL must be an email address, got "${email}"`);
  return normalizeEmail(email);
}

/** The API's password and membership errors, as the CLI's one-line errors. */
async function asCliError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.status < 500) throw new ConfigError(error.message);
    throw error;
  }
}

/** Picks the given password (checked) or generates one; says which, so only a generated one is printed. */
function choosePassword(given: string | undefined): { password: string; generated: boolean } {
  if (given === undefined) return { password: generatePassword(), generated: true };
  checkNewPassword(given);
  return { password: given, generated: false };
}

export interface CreatedUser {
  userId: string;
  email: string;
  orgId: string;
  role: Role;
  userCreated: boolean;
  /** Only when generated: shown once, never stored in clear. */
  password?: string;
}

/**
 * Creates the account (or finds it) and gives it `role` in `orgId`. An existing account keeps its
 * password: a piped password for it is refused rather than silently ignored.
 */
export function createUserWithRole(db: Kysely<Database>, input: { email: string; orgId: string; role: Role; password?: string; now: number }): Promise<CreatedUser> {
  return asCliError(async () => {
    if (!isPlausibleEmail(input.email)) throw new ConfigError(`"${input.email}" is not an email address`);
    const existing = await findUserByEmail(db, input.email);
    if (existing && input.password !== undefined) {
      throw new ConfigError(`${existing.email} already has an account; its password stays (arkiv user reset-password changes it)`);
    }
    const chosen = existing ? undefined : choosePassword(input.password);
    const user = existing ?? (await createUser(db, { email: input.email, password: chosen!.password, now: input.now }));
    await withAudit(
      db,
      (trx) => addMembership(trx, { orgId: input.orgId, userId: user.id, role: input.role, now: input.now }),
      () => ({ orgId: input.orgId, action: 'member.add', actor: CLI_ACTOR, details: { userId: user.id, email: user.email, role: input.role, accountCreated: !existing }, at: input.now }),
    );
    return {
      userId: user.id,
      email: user.email,
      orgId: input.orgId,
      role: input.role,
      userCreated: !existing,
      ...(chosen?.generated ? { password: chosen.password } : {}),
    };
  });
}

/** Sets a new password, ends every session of the user and lifts a login lockout. */
export function resetUserPassword(
  db: Kysely<Database>,
  input: { email: string; password?: string; now: number },
): Promise<{ userId: string; email: string; sessionsEnded: number; password?: string }> {
  return asCliError(async () => {
    const user = await findUserByEmail(db, input.email);
    if (!user) throw new ConfigError(`no user with email ${normalizeEmail(input.email)}`);
    const chosen = choosePassword(input.password);
    const passwordHash = await hashPassword(chosen.password);
    const { sessionsEnded } = await withAudit(
      db,
      async (trx) => {
        await setPasswordHash(trx, user.id, passwordHash, input.now);
        return { sessionsEnded: await revokeUserSessions(trx, user.id), memberships: await membershipsOf(trx, user.id) };
      },
      ({ sessionsEnded: ended, memberships }) =>
        memberships.map((m) => ({ orgId: m.orgId, action: 'account.password_reset' as const, actor: CLI_ACTOR, details: { userId: user.id, email: user.email, via: 'cli', sessionsEnded: ended }, at: input.now })),
    );
    await unlockEmail(db, user.email);
    return { userId: user.id, email: user.email, sessionsEnded, ...(chosen.generated ? { password: chosen.password } : {}) };
  });
}

/**
 * `arkiv user unlock`: lifts every login throttle on an email (its per-address locks and its delay
 * across addresses), for an operator whose owner is kept out. Unknown emails are accepted: a lock
 * never tells whether an account exists, and neither does this.
 */
export async function unlockLogin(db: Kysely<Database>, input: { email: string }): Promise<{ email: string; cleared: number }> {
  const email = normalizeEmail(input.email);
  return { email, cleared: await unlockEmail(db, email) };
}

/**
 * `arkiv user reset-mfa`: for someone who lost their authenticator and recovery codes. Turns TOTP
 * off (secret, recovery codes, waiting logins), lifts the second-factor throttle and ends every
 * session, since a lost phone may be in someone else's hands. They sign in with the password and
 * enrol again (organisations that require it send them to enrol).
 */
export function resetUserMfa(db: Kysely<Database>, input: { email: string }): Promise<{ userId: string; email: string; totpWasOn: boolean; sessionsEnded: number }> {
  return asCliError(async () => {
    const user = await findUserByEmail(db, input.email);
    if (!user) throw new ConfigError(`no user with email ${normalizeEmail(input.email)}`);
    const totpWasOn = await removeTotp(db, user.id);
    await clearFailures(db, mfaKey(user.id));
    const sessionsEnded = await revokeUserSessions(db, user.id);
    return { userId: user.id, email: user.email, totpWasOn, sessionsEnded };
  });
}

/**
 * `arkiv user delete`: deletes an account as DELETE /api/auth/me does (no password: the operator
 * holds the database). The last owner of an organisation is refused, as in the API.
 */
export function deleteUserAccount(db: Kysely<Database>, input: { email: string }): Promise<DeletedAccount> {
  return asCliError(async () => {
    const user = await findUserByEmail(db, input.email);
    if (!user) throw new ConfigError(`no user with email ${normalizeEmail(input.email)}`);
    return deleteAccount(db, user, { actor: CLI_ACTOR, address: null, at: Date.now() });
  });
}

/**
 * Reads a password piped to the command (`printf %s "$PW" | arkiv user create …`). A terminal is
 * never read from (the password would echo); empty input means "generate one". One trailing
 * newline is dropped, as `echo` adds it.
 */
export async function readPipedPassword(stdin: NodeJS.ReadStream = process.stdin): Promise<string | undefined> {
  if (stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  return text === '' ? undefined : text;
}
