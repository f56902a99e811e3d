import type { AppContext } from '../context.js';
import { AppError } from '../http/errors.js';
import { clearFailures, loginKeys, recordFailure, tooManyAttempts, waitFor } from './login-throttle.js';
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { withAudit } from '../audit/audit-log.js';
import { membershipsOf } from './memberships.js';
import { findUserByEmail, normalizeEmail, setPasswordHash, type User } from './users.js';

/**
 * A wrong password for an existing account, recorded in every organisation the account belongs
 * to (an unknown email belongs to none: the login throttle is its only record).
 */
async function recordFailedLogin(ctx: AppContext, user: User, address: string): Promise<void> {
  try {
    const at = ctx.now();
    await withAudit(
      ctx.db,
      (trx) => membershipsOf(trx, user.id),
      (memberships) => memberships.map((m) => ({ orgId: m.orgId, action: 'auth.login_failed' as const, actor: { kind: 'user' as const, id: user.id, label: user.email }, address, details: { method: 'password' }, at })),
    );
  } catch (error) {
    ctx.log.error({ err: error, userId: user.id }, 'could not record a failed login in the audit log');
  }
}

export const invalidCredentials = (status: 401 | 403 = 401) => new AppError(status, 'invalid_credentials', 'The email or password is wrong');

/**
 * Checks an email and password under the login throttle. Known and unknown emails take the same
 * path (one scrypt verification, the same throttle writes) so neither the answer nor its timing
 * tells whether an account exists. `failureStatus` is 403 when an authenticated user re-enters
 * their password (a 401 there would read as "your session ended").
 */
export async function checkCredentials(
  ctx: AppContext,
  input: { email: string; password: string; address: string; failureStatus?: 401 | 403 },
): Promise<User> {
  const email = normalizeEmail(input.email);
  const keys = loginKeys(email, input.address);
  const wait = await waitFor(ctx.db, keys, ctx.now());
  if (wait > 0) throw tooManyAttempts(wait);
  const user = await findUserByEmail(ctx.db, email);
  const valid = await verifyPassword(input.password, user?.password_hash ?? (await dummyPasswordHash()));
  if (!user || !valid) {
    for (const key of [keys.pair, keys.address, keys.account]) await recordFailure(ctx.db, key, ctx.now());
    // After the answer is on its way: the extra writes for a known email must not time differently.
    if (user) setImmediate(() => void recordFailedLogin(ctx, { id: user.id, email: user.email }, input.address));
    throw invalidCredentials(input.failureStatus);
  }
  await clearFailures(ctx.db, keys.pair, keys.account);
  if (needsRehash(user.password_hash)) {
    // Parameters were raised since this hash was made: upgrade it while we hold the password.
    await setPasswordHash(ctx.db, user.id, await hashPassword(input.password));
  }
  return { id: user.id, email: user.email };
}
