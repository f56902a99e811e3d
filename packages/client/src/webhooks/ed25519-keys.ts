import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** Standard Webhooks' serialisation of an Ed25519 key pair: base64 behind a prefix that says which half. */
export const SECRET_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

const BASE64 = /^[A-Za-z0-9+/]{43}=$/;
// DER framing of a raw 32-byte Ed25519 key: PKCS#8 for the private seed, SubjectPublicKeyInfo for the public key (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The 32 raw bytes behind `prefix` + base64, or a TypeError naming what was expected. */
function rawKey(text: string, prefix: string, what: string): Buffer {
  if (typeof text !== 'string' || !text.startsWith(prefix) || !BASE64.test(text.slice(prefix.length))) {
    throw new TypeError(`${what} must be "${prefix}" followed by the base64 of 32 bytes`);
  }
  return Buffer.from(text.slice(prefix.length), 'base64');
}

/** A new endpoint key pair: the private half (`whsk_`, the 32-byte seed) stays with the sender. */
export function generateEd25519KeyPair(): { secretKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return { secretKey: `${SECRET_KEY_PREFIX}${seed.toString('base64')}`, publicKey: publicKeyOf(`${SECRET_KEY_PREFIX}${seed.toString('base64')}`) };
}

export function ed25519PrivateKey(secretKey: string): KeyObject {
  const seed = rawKey(secretKey, SECRET_KEY_PREFIX, 'an Ed25519 webhook secret key');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKey(publicKey: string): KeyObject {
  const raw = rawKey(publicKey, PUBLIC_KEY_PREFIX, 'an Ed25519 webhook public key');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** `whpk_…` of a `whsk_…`: what the receiver is given to verify with. */
export function publicKeyOf(secretKey: string): string {
  const spki = createPublicKey(ed25519PrivateKey(secretKey)).export({ format: 'der', type: 'spki' });
  return `${PUBLIC_KEY_PREFIX}${spki.subarray(SPKI_PREFIX.length).toString('base64')}`;
}
