import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePermission } from '../http/auth.js';
import { notFound } from '../http/errors.js';
import { sessionOnly, signedIn } from '../http/openapi-security.js';
import { problemResponses } from '../http/problem-schemas.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { refTo } from '../http/schema-ref.js';
import { MemberParams, SessionParams, SessionSummarySchema } from './account-schemas.js';
import { requireSession } from './auth-routes.js';
import { requireRoleAuthority } from './member-routes.js';
import { findMember } from './memberships.js';
import { deleteUserSession, listUserSessions, revokeUserSessions } from './sessions.js';

/** /api/auth/sessions: a person's own sessions; and an administrator ending a member's. */
export const sessionRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/auth/sessions',
    {
      schema: {
        operationId: 'listMySessions',
        summary: "The signed-in user's live sessions, newest first",
        tags: ['auth'],
        security: sessionOnly,
        response: { 200: Type.Object({ sessions: Type.Array(refTo(SessionSummarySchema)) }), ...problemResponses },
      },
    },
    async (request) => {
      const session = requireSession(request);
      const sessions = await listUserSessions(ctx.db, session.userId, ctx.now());
      return {
        sessions: sessions.map((s) => ({
          ...s,
          createdAt: new Date(s.createdAt).toISOString(),
          lastSeenAt: new Date(s.lastSeenAt).toISOString(),
          current: s.id === session.id,
        })),
      };
    },
  );

  app.delete(
    '/api/auth/sessions/:sessionId',
    {
      schema: {
        operationId: 'endMySession',
        summary: 'End one of your own sessions (the current one too: that is a logout)',
        description: "404 not_found for an id that is not one of the caller's sessions, whoever's it is.",
        tags: ['auth'],
        security: sessionOnly,
        params: SessionParams,
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const session = requireSession(request);
      // Scoped to the caller's own rows: another user's session is "not found", never "forbidden".
      if (!(await deleteUserSession(ctx.db, session.userId, request.params.sessionId))) throw notFound('Session');
      request.log.info({ userId: session.userId, sessionId: request.params.sessionId }, 'session ended by its owner');
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/orgs/:orgId/members/:userId/sessions',
    {
      schema: {
        operationId: 'endMemberSessions',
        summary: "End every session of a member (signs them out of the dashboard everywhere; API tokens stay)",
        description: 'Administrators for members and administrators, owners for owners; 404 not_found when the user is not a member.',
        tags: ['members'],
        security: signedIn,
        params: MemberParams,
        response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, userId } = request.params;
      requirePermission(request, orgId, 'org:admin');
      const member = await findMember(ctx.db, orgId, userId);
      if (!member) throw notFound('Member');
      requireRoleAuthority(request, orgId, member.role);
      const ended = await revokeUserSessions(ctx.db, userId);
      request.log.info({ orgId, userId, sessionsEnded: ended }, 'member sessions ended');
      return reply.status(204).send(null);
    },
  );
};
