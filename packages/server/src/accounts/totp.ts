import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 as authenticator apps implement it (SHA-1, 6 digits, 30-second steps: the only
 * parameters every app honours), through the `otpauth` library. A code is accepted for its own
 * step or one either side (clock drift); the caller makes sure no step is accepted twice.
 */
const ISSUER = 'Arkiv';
const DRIFT_STEPS = 1;

function totpOf(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: 30 });
}

/** A fresh 160-bit secret (RFC 4226's recommended length), in base32 as apps take it. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The `otpauth://totp/…` URI an authenticator app scans from the QR code. */
export const otpauthUrl = (secretBase32: string, email: string): string => totpOf(secretBase32, email).toString();

/** The time step `code` belongs to at `now` (±1 step), or null when it matches none. */
export function matchingStep(secretBase32: string, code: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = totpOf(secretBase32);
  const delta = totp.validate({ token: code, timestamp: now, window: DRIFT_STEPS });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}
