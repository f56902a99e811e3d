import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { AppError } from '../http/errors.js';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/**
 * scrypt from node:crypto (OpenSSL's implementation) at one of OWASP's equivalent minimums:
 * N=2^16, r=8, p=2. It does the work of N=2^17, r=8, p=1 (the first listed; ~0.3 s on one core)
 * in half the memory, 64 MiB instead of 128 MiB, because the p lanes run one after the other: a
 * server's first start (the Owner's one-time password) and every login peak 64 MiB lower. The
 * parameters are stored with each hash, so hashes made at 2^17/p=1 keep verifying at their own
 * parameters (and count as strong enough: same work), and `needsRehash` upgrades weaker ones.
 */
export const PASSWORD_PARAMS = { ln: 16, r: 8, p: 2 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing it is not a denial-of-service lever. */
export const MAX_PASSWORD_LENGTH = 1024;

interface ScryptParams {
  ln: number;
  r: number;
  p: number;
}

/**
 * Each hash holds 64 MiB while it runs (128 MiB for one stored at N=2^17): at most this many run at once, the rest wait their turn,
 * and beyond MAX_WAITING a login is refused instead of queueing memory without bound.
 */
const MAX_CONCURRENT = 2;
const MAX_WAITING = 64;
let running = 0;
const waiting: Array<() => void> = [];

async function withHashingSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) {
    if (waiting.length >= MAX_WAITING) {
      throw new AppError(503, 'server_busy', 'Too many logins in progress; try again in a moment', { headers: { 'retry-after': '1' } });
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running += 1;
  }
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter, or give it back.
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  return withHashingSlot(() => scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r: params.r, p: params.p, maxmem: 256 * N * params.r }));
}

export async function hashPassword(password: string, params: ScryptParams = PASSWORD_PARAMS): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | null {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([\w-]+)\$([\w-]+)$/.exec(stored);
  if (!match) return null;
  const [, ln, r, p, salt, hash] = match;
  const params = { ln: Number(ln), r: Number(r), p: Number(p) };
  if (params.ln < 10 || params.ln > 20 || params.r < 1 || params.p < 1) return null;
  return { params, salt: Buffer.from(salt!, 'base64url'), hash: Buffer.from(hash!, 'base64url') };
}

/** Timing-safe: the comparison takes the same time wherever the first differing byte is. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || password.length > MAX_PASSWORD_LENGTH) return false;
  const candidate = await derive(password, parsed.salt, parsed.params);
  return candidate.length === parsed.hash.length && crypto.timingSafeEqual(candidate, parsed.hash);
}

/** The work a hash costs an attacker per guess: N·r·p block mixes. */
const work = (params: ScryptParams) => 2 ** params.ln * params.r * params.p;

/** Weaker than today's parameters: less total work, or blocks smaller than OWASP's r=8. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || work(parsed.params) < work(PASSWORD_PARAMS) || parsed.params.r < PASSWORD_PARAMS.r;
}

let dummyHash: string | undefined;
/**
 * A hash to verify against when the account does not exist, so an unknown email costs the same
 * scrypt work as a wrong password and response times do not reveal which addresses have accounts.
 * It needs no scrypt of its own: a random salt and random "hash" bytes in the stored format cost
 * a verification exactly what a real hash with the same parameters does, and no password derives
 * to 32 random bytes. (Deriving one at start peaked the process at 128 MiB before any request.)
 */
export function dummyPasswordHash(): Promise<string> {
  const { ln, r, p } = PASSWORD_PARAMS;
  dummyHash ??= `$scrypt$ln=${ln},r=${r},p=${p}$${crypto.randomBytes(SALT_BYTES).toString('base64url')}$${crypto.randomBytes(KEY_BYTES).toString('base64url')}`;
  return Promise.resolve(dummyHash);
}

/** 24 characters from a 57-symbol alphabet without look-alikes: ~140 bits. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from({ length: 24 }, () => alphabet[crypto.randomInt(alphabet.length)]).join('');
}

/** The one password rule, shared by the API and the CLI. */
export function checkNewPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'password_too_short', `A password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError(400, 'password_too_long', `A password may have at most ${MAX_PASSWORD_LENGTH} characters`);
  }
}
