import { createPublicKey, type KeyObject } from 'node:crypto';

/** The JWKS cannot be used: not JSON, no `keys` list, or an Ed25519 key that is not one. */
export class JwksError extends Error {
  override name = 'JwksError';
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Ed25519 public keys of a JWKS by `kid` (RFC 7517/8037). Keys of other types are skipped (a JWKS may
 * publish several kinds); an OKP/Ed25519 entry that is broken makes the whole set malformed, since
 * a verifier must never quietly ignore the key it may be asked for.
 */
export function ed25519KeysOf(text: string, source: string): Map<string, KeyObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JwksError(`malformed JWKS from ${source}: not JSON`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksError(`malformed JWKS from ${source}: no "keys" list`);
  const found = new Map<string, KeyObject>();
  for (const key of keys as Array<Record<string, unknown>>) {
    if (typeof key !== 'object' || key === null || key.kty !== 'OKP' || key.crv !== 'Ed25519') continue;
    const { x, kid } = key;
    if (typeof kid !== 'string' || kid === '') throw new JwksError(`malformed JWKS from ${source}: an Ed25519 key has no kid`);
    if (typeof x !== 'string' || !BASE64URL.test(x) || Buffer.from(x, 'base64url').length !== 32) {
      throw new JwksError(`malformed JWKS from ${source}: key ${kid} has no 32-byte "x"`);
    }
    found.set(kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }));
  }
  return found;
}
