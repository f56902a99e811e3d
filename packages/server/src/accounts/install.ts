import type { AppContext } from '../context.js';
import { sessionAuthenticator } from './session-authenticator.js';

/** Accounts feature: session cookies become user principals on every route. */
export async function installAccounts(ctx: AppContext): Promise<void> {
  ctx.authenticators.push(sessionAuthenticator(ctx));
}
