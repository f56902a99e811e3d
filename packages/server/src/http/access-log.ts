import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One log line per request, written when it completes (method, path, status, duration, client),
 * instead of Fastify's two. On the hottest routes logging is a measurable share of the CPU.
 * Query strings are logged: they carry ids and filters, never credentials (those travel in headers,
 * or in the path of a link (invitation, reset, share), which is redacted).
 */
/** Links carry their credential in the path (invitations, password resets, shares): logged as `…`. */
const LINK_TOKEN = /(\/api\/invitations\/|\/api\/auth\/password-reset\/|\/api\/shares\/|^\/invite\/|^\/reset\/|^\/share\/)[^/?#]+/g;
export const redactLinkTokens = (url: string) => url.replace(LINK_TOKEN, '$1…');

export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { method: request.method, url: redactLinkTokens(request.url), statusCode: reply.statusCode, responseTime: reply.elapsedTime, remoteAddress: request.ip };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
