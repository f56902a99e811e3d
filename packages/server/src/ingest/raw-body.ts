import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../http/errors.js';
import { jsonHasNul } from '../http/text-input.js';

export const INBOUND_BODY_LIMIT = 1024 * 1024;

/**
 * Inbound webhooks are signed over the exact bytes sent, so within this plugin scope every body
 * stays a Buffer: parsing first and re-serialising would change the bytes and break the signature.
 */
export function keepRawBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INBOUND_BODY_LIMIT }, (_request, body, done) => done(null, body));
}

export function rawBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body) && body.length > 0) return body;
  throw new AppError(400, 'invalid_payload', 'The request has no body');
}

/** Lowercase (or uppercase) hex HMAC-SHA256 of the body, compared in constant time. */
export function hexHmacSha256Matches(secret: string, body: Buffer, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = crypto.createHmac('sha256', secret).update(body).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

export const signatureMissing = (header: string) => new AppError(401, 'signature_missing', `The ${header} header is required`);
export const signatureInvalid = () => new AppError(401, 'signature_invalid', 'The signature does not match the body and the connection secret');

/** A JSON object or a 400: malformed payloads change nothing. */
export function jsonObject(text: string, parse: (text: string) => unknown = JSON.parse): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    throw new AppError(400, 'invalid_payload', 'The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError(400, 'invalid_payload', 'The body must be a JSON object');
  // Another system's payload is not held to our text rule (its messages may carry a tab or an
  // escape legitimately), except for U+0000: PostgreSQL cannot store it, SQLite can, and the
  // fields end in text columns. Refusing it here keeps both engines answering the same 400.
  if (jsonHasNul(value)) throw new AppError(400, 'invalid_payload', 'The body holds a U+0000 (NUL) character, which cannot be stored');
  return value as Record<string, unknown>;
}
