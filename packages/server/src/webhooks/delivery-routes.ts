import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requirePermission } from '../http/auth.js';
import type { RoutePlugin } from '../http/route-plugin.js';
import { problemResponses } from '../http/problem-schemas.js';
import { findEndpointRow } from './endpoint-store.js';
import { listDeliveries, redeliver, redeliverFailed, showDelivery } from './delivery-store.js';
import { BulkRedeliverSchema, DeliveryDetailSchema, DeliveryListQuery, DeliverySchema, EndpointParams } from './webhook-schemas.js';
import { signedIn } from '../http/openapi-security.js';
import { refTo } from '../http/schema-ref.js';

const tags = ['webhooks'];
const security = signedIn;
const withNotFound = { ...problemResponses, 404: Type.Ref('Problem') };
const DeliveryParams = Type.Object({ orgId: Type.String({ format: 'uuid' }), id: Type.String({ format: 'uuid' }) });

/** The delivery log and redelivery, for org admins. */
export const deliveryRoutes: RoutePlugin = async (plugin, { ctx }) => {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/orgs/:orgId/webhooks/:id/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: "An endpoint's deliveries, newest first",
        tags,
        security,
        params: EndpointParams,
        querystring: DeliveryListQuery,
        response: { 200: Type.Object({ deliveries: Type.Array(refTo(DeliverySchema)), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...withNotFound },
      },
    },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      await findEndpointRow(ctx, request.params.orgId, request.params.id);
      return listDeliveries(ctx, request.params.id, request.query);
    },
  );

  app.post(
    '/api/orgs/:orgId/webhooks/:id/deliveries/redeliver',
    {
      schema: {
        operationId: 'redeliverWebhookDeliveries',
        summary: 'Queue every failed or abandoned delivery created in a time range again (same ids and bodies)',
        tags,
        security,
        params: EndpointParams,
        body: BulkRedeliverSchema,
        response: { 202: Type.Object({ redelivered: Type.Integer() }), ...withNotFound },
      },
    },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      await findEndpointRow(ctx, request.params.orgId, request.params.id);
      const redelivered = await redeliverFailed(ctx, request.params.id, Date.parse(request.body.since), Date.parse(request.body.until));
      return reply.status(202).send({ redelivered });
    },
  );

  app.get(
    '/api/orgs/:orgId/deliveries/:id',
    { schema: { operationId: 'getDelivery', summary: 'A delivery with its body and every attempt', tags, security, params: DeliveryParams, response: { 200: refTo(DeliveryDetailSchema), ...withNotFound } } },
    async (request) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return showDelivery(ctx, request.params.orgId, request.params.id);
    },
  );

  app.post(
    '/api/orgs/:orgId/deliveries/:id/redeliver',
    {
      schema: {
        operationId: 'redeliverDelivery',
        summary: 'Attempt a delivery again now: same delivery id, same body, a fresh retry horizon',
        tags,
        security,
        params: DeliveryParams,
        response: { 202: refTo(DeliverySchema), 409: Type.Ref('Problem'), ...withNotFound },
      },
    },
    async (request, reply) => {
      requirePermission(request, request.params.orgId, 'org:admin');
      return reply.status(202).send(await redeliver(ctx, request.params.orgId, request.params.id));
    },
  );
};
