import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'arkiv_session';

/** Session tokens are base64url; anything else in the cookie is not one of ours. */
const TOKEN_SHAPE = /^[\w-]{20,200}$/;

export function readSessionCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === SESSION_COOKIE) {
      const value = pair.slice(separator + 1).trim();
      if (TOKEN_SHAPE.test(value)) return value;
    }
  }
  return undefined;
}

/**
 * The cookie is HttpOnly (scripts never see it), SameSite=Lax (not sent on cross-site writes),
 * and Secure whenever the browser reached us over TLS, directly or through a trusted proxy's
 * X-Forwarded-Proto. It is a browser-session cookie; the server enforces the real expiry.
 */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  if (!TOKEN_SHAPE.test(token)) throw new Error('session token has an unexpected shape');
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; ${attributes(request)}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Max-Age=0; ${attributes(request)}`);
}

const attributes = (request: FastifyRequest) => `Path=/; HttpOnly; SameSite=Lax${request.protocol === 'https' ? '; Secure' : ''}`;
