import type { AppContext } from '../context.js';
import { AppError, invalidParameter } from '../http/errors.js';
import { clearFailures, lockedFor, loginKeys, mfaKey, recordFailure, tooManyAttempts, waitFor } from './login-throttle.js';
import { claimRecoveryCode, claimTotpStep, createMfaChallenge, findTotp, hasTotp } from './mfa-store.js';
import { matchingStep } from './totp.js';
import { normalizeEmail, type User } from './users.js';

/** A TOTP code or one recovery code: what proves the second factor. */
export interface SecondFactorProof {
  code?: string;
  recoveryCode?: string;
}

export const invalidMfaCode = (status: 401 | 403) => new AppError(status, 'invalid_mfa_code', 'The code is wrong, expired or was used already');

/** Exactly one of code and recoveryCode: a request with both or neither is malformed. */
export function checkProofShape(proof: SecondFactorProof): void {
  if ((proof.code === undefined) === (proof.recoveryCode === undefined)) throw invalidParameter('Send either code or recoveryCode');
}

/**
 * Runs one second-factor check under the login throttle: the user's email from this address,
 * the address, the account, and the user's own second-factor key (across addresses). Locks are
 * checked before anything is read; a failure counts on every key; success forgets the user's counts.
 * `failureStatus` is 403 when a signed-in user proves it (a 401 would read as "your session ended").
 */
export async function underMfaThrottle(
  ctx: AppContext,
  input: { user: User; address: string; failureStatus: 401 | 403 },
  check: () => Promise<boolean>,
): Promise<void> {
  const keys = loginKeys(normalizeEmail(input.user.email), input.address);
  const mfa = mfaKey(input.user.id);
  const now = ctx.now();
  const wait = Math.max(await waitFor(ctx.db, keys, now), await lockedFor(ctx.db, [mfa], now));
  if (wait > 0) throw tooManyAttempts(wait);
  if (!(await check())) {
    for (const key of [keys.pair, keys.address, keys.account, mfa]) await recordFailure(ctx.db, key, ctx.now());
    throw invalidMfaCode(input.failureStatus);
  }
  await clearFailures(ctx.db, keys.pair, keys.account, mfa);
}

/** Whether the proof holds for a user with TOTP on; a code or recovery code that holds is used up by this call. */
export async function proveSecondFactor(ctx: AppContext, userId: string, proof: SecondFactorProof): Promise<boolean> {
  if (proof.recoveryCode !== undefined) return claimRecoveryCode(ctx.db, userId, proof.recoveryCode, ctx.now());
  const totp = await findTotp(ctx.db, ctx.secrets, userId);
  if (!totp?.confirmed || proof.code === undefined) return false;
  const step = matchingStep(totp.secret, proof.code, ctx.now());
  return step !== null && (await claimTotpStep(ctx.db, userId, step));
}

/**
 * After the right password: a user with TOTP on gets no session yet but 401 mfa_required with a
 * single-use mfaToken for POST /api/auth/login/mfa. Users without TOTP pass straight through.
 */
export async function challengeSecondFactor(ctx: AppContext, user: User): Promise<void> {
  if (!(await hasTotp(ctx.db, user.id))) return;
  const mfaToken = await createMfaChallenge(ctx.db, user.id, ctx.now());
  throw new AppError(401, 'mfa_required', 'Enter the code from your authenticator app, or a recovery code', { members: { mfaToken } });
}
