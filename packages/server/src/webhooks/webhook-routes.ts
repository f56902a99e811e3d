import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { initiatorOf } from '../accounts/principal.js';
import { appendAudit, requestSource } from '../audit/audit-log.js';
import { requirePermission } from '../http/auth.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { createEndpoint, deleteEndpoint, findEndpointRow, listEndpoints, revealSecret, rotateSecret, updateEndpoint } from './endpoint-store.js';
import { toEndpoint } from './endpoint-model.js';
import { PING_EVENT_TYPE } from './event-types.js';
import { emitEvent } from './outbox.js';
import {
  CreatedEndpointSchema,
  CreateEndpointSchema,
  EndpointParams,
  EndpointSchema,
  OrgParams,
  RotateSchema,
  SecretSchema,
  UpdateEndpointSchema,
} from './webhook-schemas.js';
import { signedIn } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';

const tags = ['webhooks'];
const security = signedIn;
const withNotFound = { ...problemResponses, 404: Type.Ref('Problem') };

/** Webhook endpoints of an organisation: /api/orgs/{orgId}/webhooks…, all for org admins. */
export const webhookRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/orgs/:orgId/webhooks',
    { schema: { operationId: 'createWebhook', summary: 'Create a webhook endpoint (the response shows its secret, or an Ed25519 endpoint its public key, once)', tags, security, params: OrgParams, body: CreateEndpointSchema, response: { 201: CreatedEndpointSchema, ...problemResponses } } },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const { orgId } = request.params;
      const { endpoint, ...shown } = await createEndpoint(ctx, orgId, request.body, (trx, created) =>
        appendAudit(trx, { orgId, action: 'webhook.create', ...requestSource(request), details: { webhookId: created.id, url: created.url, events: created.events, signatureScheme: created.signatureScheme, enabled: created.enabled }, at: ctx.now() }),
      );
      return reply.status(201).send({ ...endpoint, ...shown });
    },
  );

  app.get(
    '/api/orgs/:orgId/webhooks',
    { schema: { operationId: 'listWebhooks', summary: 'List webhook endpoints', tags, security, params: OrgParams, response: { 200: Type.Object({ webhooks: Type.Array(refTo(EndpointSchema)) }), ...problemResponses } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return { webhooks: await listEndpoints(ctx, request.params.orgId) };
    },
  );

  app.get(
    '/api/orgs/:orgId/webhooks/:id',
    { schema: { operationId: 'getWebhook', summary: 'Show a webhook endpoint', tags, security, params: EndpointParams, response: { 200: refTo(EndpointSchema), ...withNotFound } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return toEndpoint(await findEndpointRow(ctx, request.params.orgId, request.params.id));
    },
  );

  app.patch(
    '/api/orgs/:orgId/webhooks/:id',
    { schema: { operationId: 'updateWebhook', summary: 'Update a webhook endpoint (enabled: false disables it and abandons its pending deliveries)', tags, security, params: EndpointParams, body: UpdateEndpointSchema, response: { 200: refTo(EndpointSchema), ...withNotFound } } },
    async (request) => {
      const { orgId, id } = request.params;
      requirePermission(request, orgId, 'org:admin');
      return updateEndpoint(ctx, orgId, id, request.body, (trx, { secretReplaced }) =>
        // Which fields changed, and the new URL (where deliveries now go); never a secret.
        appendAudit(trx, { orgId, action: 'webhook.update', ...requestSource(request), details: { webhookId: id, changed: Object.keys(request.body).sort(), ...(request.body.url ? { url: request.body.url } : {}), ...(request.body.enabled !== undefined ? { enabled: request.body.enabled } : {}), secretReplaced }, at: ctx.now() }),
      );
    },
  );

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post(
      `/api/orgs/:orgId/webhooks/:id/${action}`,
      { schema: { operationId: `${action}Webhook`, summary: `${action === 'enable' ? 'Enable' : 'Disable'} a webhook endpoint`, tags, security, params: EndpointParams, response: { 200: refTo(EndpointSchema), ...withNotFound } } },
      async (request) => {
        const { orgId, id } = request.params;
        requirePermission(request, orgId, 'org:admin');
        return updateEndpoint(ctx, orgId, id, { enabled }, (trx) =>
          appendAudit(trx, { orgId, action: 'webhook.update', ...requestSource(request), details: { webhookId: id, changed: ['enabled'], enabled, secretReplaced: false }, at: ctx.now() }),
        );
      },
    );
  }

  app.delete(
    '/api/orgs/:orgId/webhooks/:id',
    { schema: { operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint with its delivery log', tags, security, params: EndpointParams, response: { 204: Type.Null(), ...withNotFound } } },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      const { orgId, id } = request.params;
      await deleteEndpoint(ctx, orgId, id, (trx, row) => appendAudit(trx, { orgId, action: 'webhook.delete', ...requestSource(request), details: { webhookId: id, url: row.url }, at: ctx.now() }));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/orgs/:orgId/webhooks/:id/secret',
    { schema: { operationId: 'getWebhookSecret', summary: 'Reveal the signing secret, or an Ed25519 endpoint\'s public key (and a rotated-out one still in its grace period)', tags, security, params: EndpointParams, response: { 200: SecretSchema, ...withNotFound } } },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      reply.header('cache-control', 'no-store');
      const { orgId, id } = request.params;
      const revealed = await revealSecret(ctx, orgId, id);
      // Recorded before the answer leaves: a secret is never shown without its entry.
      await ctx.db.transaction().execute((trx) => appendAudit(trx, { orgId, action: 'webhook.secret_reveal', ...requestSource(request), details: { webhookId: id }, at: ctx.now() }));
      return revealed;
    },
  );

  app.post(
    '/api/orgs/:orgId/webhooks/:id/secret/rotate',
    { schema: { operationId: 'rotateWebhookSecret', summary: 'Rotate the signing secret; the old one keeps signing for the grace period', tags, security, params: EndpointParams, body: Type.Optional(RotateSchema), response: { 200: SecretSchema, ...withNotFound } } },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      reply.header('cache-control', 'no-store');
      const { orgId, id } = request.params;
      return rotateSecret(ctx, orgId, id, request.body?.graceHours, (trx, { previousSecretExpiresAt }) =>
        appendAudit(trx, { orgId, action: 'webhook.secret_rotate', ...requestSource(request), details: { webhookId: id, previousSecretExpiresAt: new Date(previousSecretExpiresAt).toISOString() }, at: ctx.now() }),
      );
    },
  );

  app.post(
    '/api/orgs/:orgId/webhooks/:id/ping',
    {
      schema: {
        operationId: 'pingWebhook',
        summary: 'Send a webhook.ping event to this endpoint now',
        tags,
        security,
        params: EndpointParams,
        response: { 202: Type.Object({ eventId: Type.String({ format: 'uuid' }), deliveryId: Type.String({ format: 'uuid' }) }), ...withNotFound },
      },
    },
    async (request, reply) => {
      const principal = requirePermission(request, request.params.orgId, 'org:admin');
      const { orgId, id } = request.params;
      await findEndpointRow(ctx, orgId, id);
      const emitted = await ctx.db.transaction().execute((trx) =>
        emitEvent(trx, { orgId, type: PING_EVENT_TYPE, payload: { webhookId: id }, initiator: initiatorOf(principal), at: ctx.now(), endpointIds: [id] }),
      );
      return reply.status(202).send({ eventId: emitted!.eventId, deliveryId: emitted!.deliveryIds[0]! });
    },
  );
};
