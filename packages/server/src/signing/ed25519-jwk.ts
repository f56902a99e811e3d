import crypto from 'node:crypto';

/** A public key as JWKS publishes it (RFC 8037 OKP key, RFC 7638 thumbprint as `kid`). */
export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  /** base64url of the raw 32-byte public key. */
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

/**
 * RFC 7638: SHA-256 over the required members in lexicographic order with no whitespace. For an OKP
 * key those are crv, kty and x; `x` is base64url, which needs no JSON escaping.
 */
export function jwkThumbprint(x: string): string {
  return crypto.createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

/** Raw public key bytes, as `openssl pkey -pubin -outform DER | tail -c 32` prints them. */
export function rawPublicKey(key: crypto.KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/** SHA-256 of the raw public key, hex in groups of four: what Settings shows to compare by eye. */
export function keyFingerprint(x: string): string {
  const hex = crypto.createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex');
  return hex.match(/.{4}/g)!.join(':');
}

export function newEd25519KeyPair(): { x: string; kid: string; privatePkcs8: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const x = rawPublicKey(publicKey).toString('base64url');
  return { x, kid: jwkThumbprint(x), privatePkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') };
}

export function publicJwk(x: string): Ed25519PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x, kid: jwkThumbprint(x), use: 'sig', alg: 'EdDSA' };
}
