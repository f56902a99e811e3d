import type { AppContext } from '../context.js';
import { dummyPasswordHash } from './passwords.js';
import { sessionAuthenticator } from './session-authenticator.js';

/** Accounts feature: session cookies become user principals on every route. */
export async function installAccounts(ctx: AppContext): Promise<void> {
  ctx.authenticators.push(sessionAuthenticator(ctx));
  // Made now, not on the first login with an unknown email, whose answer would otherwise be slower.
  await dummyPasswordHash();
}
