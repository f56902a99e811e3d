import crypto from 'node:crypto';
import type { AppContext } from '../context.js';
import { currentSigningKey, privateKeyCache } from './key-store.js';

/** Signs bytes as one organisation, naming the key so a verifier can find it in the JWKS. */
export interface OrgSigner {
  kid: string;
  sign(bytes: Buffer): Buffer;
}

const caches = new WeakMap<object, (sealed: string) => crypto.KeyObject>();

/**
 * The organisation's current signer (its key created on first use). The key is read per call, so a
 * rotation by any process signs from the very next archive on.
 */
export async function orgSigner(ctx: Pick<AppContext, 'db' | 'secrets' | 'now'>, orgId: string): Promise<OrgSigner> {
  let open = caches.get(ctx.secrets);
  if (!open) caches.set(ctx.secrets, (open = privateKeyCache(ctx.secrets)));
  const row = await currentSigningKey(ctx.db, ctx.secrets, orgId, ctx.now());
  const privateKey = open(row.private_key_sealed);
  return { kid: row.kid, sign: (bytes) => crypto.sign(null, bytes, privateKey) };
}
