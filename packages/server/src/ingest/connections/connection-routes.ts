import { Type } from '@sinclair/typebox';
import { requestSource, withAudit } from '../../audit/audit-log.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../../http/auth.js';
import { AppError, invalidParameter, notFound } from '../../http/errors.js';
import type { RoutePlugin } from '../../http/route-plugin.js';
import { problemResponses } from '../../http/problem-schemas.js';
import { recentEvents } from '../events-store.js';
import {
  ConnectionParams, ConnectionSchema, connectionView, CreateConnectionBody, KindParams, UpdateConnectionBody,
} from './connection-schemas.js';
import { createConnection, deleteConnection, findConnection, listConnections, updateConnection, type Connection } from './connection-store.js';
import { signedIn } from '../../http/openapi-security.js';
import { refTo } from '../../http/schema-ref.js';

/**
 * /api/orgs/{orgId}/integrations/{sonarqube|nexus-iq}[/{id}]: administrators create, list, read,
 * update and delete connections. Each response carries the webhook URL and secret to paste into
 * the other product and the connection's last received events (the dashboard's Integrations
 * screen). SonarQube server URLs may be private (SonarQube usually sits on a private network, and
 * only an organisation's administrators can set one); importers still refuse link-local and
 * metadata addresses (ADMIN_TARGETS in sonarqube/import-routes.ts).
 */
export const connectionRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const security = signedIn;
  const tags = ['integrations'];
  const view = async (connection: Connection) => connectionView(connection, ctx.config.publicUrl, await recentEvents(ctx.db, connection.id));

  app.get(
    '/api/orgs/:orgId/integrations/:kind',
    { schema: { operationId: 'listConnections', summary: 'List connections of one kind', tags, security, params: KindParams, response: { 200: Type.Object({ connections: Type.Array(refTo(ConnectionSchema)) }), ...problemResponses } } },
    async (request) => {
      const { orgId, kind } = request.params;
      requirePermission(request, orgId, 'org:admin');
      const connections = await listConnections(ctx.db, ctx.secrets, orgId, kind);
      return { connections: await Promise.all(connections.map(view)) };
    },
  );

  app.post(
    '/api/orgs/:orgId/integrations/:kind',
    { schema: { operationId: 'createConnection', summary: 'Create a connection (a webhook secret is generated)', tags, security, params: KindParams, body: CreateConnectionBody, response: { 201: refTo(ConnectionSchema), ...problemResponses } } },
    async (request, reply) => {
      const { orgId, kind } = request.params;
      requirePermission(request, orgId, 'org:admin');
      const body = request.body;
      if (kind === 'sonarqube' && (!body.serverUrl || !body.token)) throw invalidParameter('A SonarQube connection needs serverUrl and token');
      if (kind === 'nexus-iq' && (body.serverUrl || body.token || body.projects)) throw invalidParameter('A Nexus IQ connection takes only a name');
      const connection = await withAudit(
        ctx.db,
        (trx) => createConnection(trx, ctx.secrets, { ...body, orgId, kind, now: ctx.now() }),
        (created) => ({ orgId, action: 'integration.create', ...requestSource(request), details: { connectionId: created.id, kind, name: created.name, serverUrl: created.serverUrl }, at: ctx.now() }),
      );
      return reply.status(201).send(await view(connection));
    },
  );

  app.get(
    '/api/orgs/:orgId/integrations/:kind/:id',
    { schema: { operationId: 'getConnection', summary: 'Read a connection with its last events', tags, security, params: ConnectionParams, response: { 200: refTo(ConnectionSchema), 404: Type.Ref('Problem'), ...problemResponses } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const connection = await findConnection(ctx.db, ctx.secrets, request.params.id, request.params);
      if (!connection) throw notFound('Connection');
      return view(connection);
    },
  );

  app.patch(
    '/api/orgs/:orgId/integrations/:kind/:id',
    { schema: { operationId: 'updateConnection', summary: 'Update a connection or rotate its webhook secret', tags, security, params: ConnectionParams, body: UpdateConnectionBody, response: { 200: refTo(ConnectionSchema), 404: Type.Ref('Problem'), ...problemResponses } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const { rotateSecret, ...fields } = request.body;
      if (request.params.kind === 'nexus-iq' && (fields.serverUrl || fields.token || fields.projects)) throw invalidParameter('A Nexus IQ connection takes only a name');
      // The stored token belongs to the stored server: a new serverUrl needs its own token in the
      // same request, or the old token would be sent to whatever host the new URL names.
      if (fields.serverUrl !== undefined && !fields.token) {
        const current = await findConnection(ctx.db, ctx.secrets, request.params.id, request.params);
        if (current && current.serverUrl !== fields.serverUrl) {
          throw new AppError(400, 'token_required', 'Changing serverUrl requires the token for the new server in the same request');
        }
      }
      const { orgId, kind, id } = request.params;
      const connection = await withAudit(
        ctx.db,
        (trx) => updateConnection(trx, ctx.secrets, request.params, { ...fields, rotateSecret: rotateSecret ?? false, now: ctx.now() }),
        // Which fields changed, never their values: the token is a credential.
        (updated) => updated && { orgId, action: 'integration.update', ...requestSource(request), details: { connectionId: id, kind, changed: Object.keys(fields).sort(), secretRotated: rotateSecret ?? false }, at: ctx.now() },
      );
      if (!connection) throw notFound('Connection');
      return view(connection);
    },
  );

  app.delete(
    '/api/orgs/:orgId/integrations/:kind/:id',
    { schema: { operationId: 'deleteConnection', summary: 'Delete a connection, its received events and evaluations', tags, security, params: ConnectionParams, response: { 204: Type.Null(), 404: Type.Ref('Problem'), ...problemResponses } } },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const { orgId, kind, id } = request.params;
      const deleted = await withAudit(
        ctx.db,
        (trx) => deleteConnection(trx, request.params),
        (found) => found && { orgId, action: 'integration.delete', ...requestSource(request), details: { connectionId: id, kind }, at: ctx.now() },
      );
      if (!deleted) throw notFound('Connection');
      return reply.status(204).send(null);
    },
  );
};
