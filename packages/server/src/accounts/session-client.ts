import type { FastifyRequest } from 'fastify';
import { clientAddress } from '../http/client-address.js';
import type { SessionClient } from './sessions.js';

/** Long enough to tell browsers apart; a header of kilobytes would only bloat every session list. */
export const USER_AGENT_MAX_LENGTH = 256;

/**
 * The address and browser a session signs in from. The User-Agent is the client's own text and is
 * shown back in the dashboard and API: control characters are stripped (as free text elsewhere
 * must not hold them) and it is cut to USER_AGENT_MAX_LENGTH.
 */
export function sessionClientOf(request: FastifyRequest): SessionClient {
  const header = request.headers['user-agent'];
  // eslint-disable-next-line no-control-regex
  const userAgent = typeof header === 'string' ? header.replace(/[\u0000-\u001F\u007F]/g, '').trim().slice(0, USER_AGENT_MAX_LENGTH) : '';
  return { address: clientAddress(request.ip), userAgent: userAgent || null };
}
