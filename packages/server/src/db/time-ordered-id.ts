import crypto from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Rows written together get
 * neighbouring keys, so the primary-key and foreign-key indexes of append-heavy tables (the
 * webhook outbox and its log) grow at one end instead of touching a random page per insert, which
 * is what a large table would otherwise pay on every write. Still a UUID to every consumer.
 */
export function timeOrderedId(now: number = Date.now()): string {
  const random = crypto.randomUUID(); // v4: its variant bits (group 4) are already RFC 9562's
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
