import { Type } from '@sinclair/typebox';
import { NEXUS_IQ_HEADERS, verifyWebhook } from '@arkiv/client/webhooks';
import { AppError, notFound } from '../../http/errors.js';
import type { RoutePlugin } from '../../http/route-plugin.js';
import { findConnection } from '../connections/connection-store.js';
import { recordEvent } from '../events-store.js';
import { jsonObject, keepRawBodies, rawBody, signatureInvalid, signatureMissing } from '../raw-body.js';
import { newEvaluationId, readEvaluation, storeEvaluation } from './evaluations.js';
import { parseLenientJson } from './lenient-json.js';
import { relayNexusIqEvent } from './relay.js';
import { publicRoute } from '../../http/openapi-security.js';
import { problemResponses } from '../../http/problem-schemas.js';

/** The events of seed 004, plus the two later Nexus IQ versions added. */
export const NEXUS_IQ_EVENTS = [
  'iq:policyManagement', 'iq:applicationEvaluation', 'iq:securityVulnerabilityOverrideManagement',
  'iq:licenseOverrideManagement', 'iq:policyAlert', 'iq:waiverRequest',
] as const;

/**
 * POST /integrations/nexus-iq/{connectionId}/webhook. Verifies X-Nexus-Webhook-Signature (HmacSHA1,
 * or HmacSHA256 when X-Nexus-Webhook-Signature-Algorithm says so) over the raw bytes, then in ONE
 * transaction: stores the event once per X-Nexus-Webhook-Delivery, turns an application
 * evaluation into a queryable record, and queues the `nexus-iq.<event>` relay to Arkiv's webhook
 * subscribers. Nexus IQ does not retry, so from here Arkiv's outbox owns delivery.
 */
export const nexusIqWebhookRoutes: RoutePlugin = async (app, { ctx }) => {
  keepRawBodies(app);
  app.post<{ Params: { connectionId: string } }>(
    '/integrations/nexus-iq/:connectionId/webhook',
    {
      schema: {
        operationId: 'receiveNexusIqWebhook',
        summary: 'Sonatype Nexus IQ Server webhooks receiver (X-Nexus-Webhook-* headers)',
        description: 'Authenticated by the HMAC signature of the body with the connection secret, not by a token.',
        tags: ['integrations'],
        security: publicRoute,
        params: Type.Object({ connectionId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ status: Type.String(), eventId: Type.Optional(Type.String()) }), 202: Type.Object({ status: Type.String(), eventId: Type.String() }), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const connection = await findConnection(ctx.db, ctx.secrets, request.params.connectionId);
      if (!connection || connection.kind !== 'nexus-iq') throw notFound('Nexus IQ connection');
      const body = rawBody(request.body);
      const verified = verifyWebhook({ scheme: 'nexus-iq', secret: connection.secret, body, headers: request.headers });
      if (!verified.ok) {
        if (!request.headers[NEXUS_IQ_HEADERS.signature.toLowerCase()]) throw signatureMissing(NEXUS_IQ_HEADERS.signature);
        if (verified.reason === 'bad_signature') throw signatureInvalid();
        if (verified.reason === 'unsupported_algorithm') throw new AppError(400, 'unsupported_algorithm', `${NEXUS_IQ_HEADERS.algorithm} must be HmacSHA1 or HmacSHA256`);
        throw new AppError(400, 'missing_header', `${NEXUS_IQ_HEADERS.eventType} and ${NEXUS_IQ_HEADERS.deliveryId} are required`);
      }
      const eventType = verified.eventType ?? '';
      if (!(NEXUS_IQ_EVENTS as readonly string[]).includes(eventType)) {
        throw new AppError(400, 'unsupported_event', `${eventType} is not a Nexus IQ event Arkiv accepts (${NEXUS_IQ_EVENTS.join(', ')})`);
      }
      const text = body.toString('utf8');
      const payload = jsonObject(text, parseLenientJson);
      const evaluation = eventType === 'iq:applicationEvaluation' ? readEvaluation(payload) : undefined;
      const now = ctx.now();

      const eventId = await ctx.db.transaction().execute(async (trx) => {
        const id = await recordEvent(trx, {
          connectionId: connection.id, orgId: connection.orgId, eventType, deliveryId: verified.deliveryId, payload: text,
          status: 'received', detail: evaluation ? `${evaluation.application_public_id ?? evaluation.application_id} ${evaluation.stage}: ${evaluation.outcome}` : null, receivedAt: now,
        });
        if (!id) return undefined;
        if (evaluation) {
          await storeEvaluation(trx, { id: newEvaluationId(), org_id: connection.orgId, connection_id: connection.id, event_id: id, received_at: now, ...evaluation });
        }
        await relayNexusIqEvent(trx, { orgId: connection.orgId, connectionId: connection.id, eventType, deliveryId: verified.deliveryId, payload, at: now });
        return id;
      });
      if (!eventId) return reply.status(200).send({ status: 'duplicate' });
      return reply.status(202).send({ status: 'received', eventId });
    },
  );
};
