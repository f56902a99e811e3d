import crypto from 'node:crypto';
import { AppError } from '../http/errors.js';

/**
 * Tokens of single-use links (invitations, password resets): 256 random bits in base64url. Only
 * their SHA-256 is stored, so rows are found by hashing what the link holds: the lookup compares
 * hashes the caller cannot choose, and a copy of the database opens no link.
 */
export function newLinkToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export const hashLinkToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

/** 43 base64url characters; anything else is no token of ours (and is not looked up). */
export const isPlausibleLinkToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

/** A link that existed but works no more (used, or past its expiry): 410, unlike an unknown one (404). */
export const linkGone = (code: string, message: string) => new AppError(410, code, message);
