import { Type } from '@sinclair/typebox';
import { AppError, notFound } from '../../http/errors.js';
import type { RoutePlugin } from '../../http/route-plugin.js';
import { enqueueJob } from '../../jobs/job-queue.js';
import { findConnection } from '../connections/connection-store.js';
import { recordEvent } from '../events-store.js';
import { hexHmacSha256Matches, jsonObject, keepRawBodies, rawBody, signatureInvalid, signatureMissing } from '../raw-body.js';
import { SONAR_IMPORT_JOB, type SonarImportJob } from './import-job.js';
import { unknownProject } from './import-routes.js';
import { publicRoute } from '../../http/openapi-security.js';
import { problemResponses } from '../../http/problem-schemas.js';

const SIGNATURE_HEADER = 'x-sonar-webhook-hmac-sha256';

interface SonarWebhookPayload {
  taskId: string;
  status: string;
  analysedAt?: string;
  project: { key: string; name?: string };
  branch?: { name?: string; type?: string; isMain?: boolean };
  pullRequest?: unknown;
}

function readPayload(body: Record<string, unknown>): SonarWebhookPayload {
  const project = body.project as { key?: unknown } | undefined;
  if (typeof body.taskId !== 'string' || !body.taskId || typeof body.status !== 'string' || typeof project?.key !== 'string' || !project.key) {
    throw new AppError(400, 'invalid_payload', 'Not a SonarQube analysis webhook: taskId, status and project.key are required');
  }
  return body as unknown as SonarWebhookPayload;
}

/**
 * POST /integrations/sonarqube/{connectionId}/webhook. SonarQube waits at most 10 s and never
 * retries, so this only verifies, records the event and durably queues the import (one
 * transaction), then answers 202; the job worker imports and retries with back-off. Anything
 * unsigned, badly signed, malformed or for a project outside the connection's list is a 4xx and
 * leaves no trace. A repeated taskId is acknowledged without a second import.
 */
export const sonarWebhookRoutes: RoutePlugin = async (app, { ctx }) => {
  keepRawBodies(app);
  app.post<{ Params: { connectionId: string } }>(
    '/integrations/sonarqube/:connectionId/webhook',
    {
      schema: {
        operationId: 'receiveSonarQubeWebhook',
        summary: 'SonarQube webhook receiver (signed with X-Sonar-Webhook-HMAC-SHA256)',
        description: 'Authenticated by the HMAC signature of the body with the connection secret, not by a token.',
        tags: ['integrations'],
        security: publicRoute,
        params: Type.Object({ connectionId: Type.String({ format: 'uuid' }) }),
        response: { 202: Type.Object({ status: Type.String(), eventId: Type.String() }), 200: Type.Object({ status: Type.String(), eventId: Type.Optional(Type.String()) }), 404: Type.Ref('Problem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const connection = await findConnection(ctx.db, ctx.secrets, request.params.connectionId);
      if (!connection || connection.kind !== 'sonarqube') throw notFound('SonarQube connection');
      const body = rawBody(request.body);
      const signature = request.headers[SIGNATURE_HEADER];
      if (typeof signature !== 'string' || signature === '') throw signatureMissing('X-Sonar-Webhook-HMAC-SHA256');
      if (!hexHmacSha256Matches(connection.secret, body, signature)) throw signatureInvalid();
      const text = body.toString('utf8');
      const payload = readPayload(jsonObject(text));
      const projectKey = payload.project.key;
      const mapped = Object.keys(connection.projects).length > 0;
      // Own keys only: `in` would let "constructor" or "toString" through the allow-list.
      if (mapped && !Object.hasOwn(connection.projects, projectKey)) throw unknownProject(projectKey);

      // Failed analyses and pull requests have nothing to file under a product version: noted, not imported.
      const ignored = payload.status !== 'SUCCESS' ? `analysis status ${payload.status}` : payload.pullRequest ? 'pull request analysis' : undefined;
      const now = ctx.now();
      const outcome = await ctx.db.transaction().execute(async (trx) => {
        const eventId = await recordEvent(trx, {
          connectionId: connection.id, orgId: connection.orgId, eventType: 'sonarqube:analysis', deliveryId: payload.taskId,
          payload: text, status: ignored ? 'ignored' : 'queued', detail: ignored ?? `${projectKey}${payload.branch?.name ? ` (${payload.branch.name})` : ''}`, receivedAt: now,
        });
        if (!eventId || ignored) return { eventId, queued: false };
        const job: SonarImportJob = {
          connectionId: connection.id, eventId, projectKey,
          // The main branch is imported without naming it, as SonarQube's own API defaults do.
          branch: payload.branch && payload.branch.isMain === false ? payload.branch.name : undefined,
          analysedAt: payload.analysedAt,
        };
        await enqueueJob(trx, { kind: SONAR_IMPORT_JOB, orgId: connection.orgId, payload: job }, now);
        return { eventId, queued: true };
      });
      if (!outcome.eventId) return reply.status(200).send({ status: 'duplicate' });
      if (!outcome.queued) return reply.status(200).send({ status: 'ignored', eventId: outcome.eventId });
      return reply.status(202).send({ status: 'queued', eventId: outcome.eventId });
    },
  );
};
