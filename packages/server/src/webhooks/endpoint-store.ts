import crypto from 'node:crypto';
import { generateSecret } from '@arkiv/client/webhooks';
import type { AppContext } from '../context.js';
import { invalidParameter, notFound } from '../http/errors.js';
import { formatTimestamp } from '../shared/timestamp.js';
import { disableEndpoint } from './endpoint-state.js';
import { toEndpoint, type WebhookEndpoint } from './endpoint-model.js';
import { REPORT_EVENT_TYPES } from './event-types.js';
import { checkWebhookUrl } from './target-guard.js';
import type { CreateEndpointInput, UpdateEndpointInput } from './webhook-schemas.js';
import type { WebhookEndpointsTable } from './schema.js';

const HOUR = 3_600_000;

function checkAlgorithm(scheme: string, algorithm: string | null | undefined): void {
  if (algorithm && scheme !== 'nexus-iq') throw invalidParameter('signatureAlgorithm applies to the nexus-iq scheme only');
}

export async function findEndpointRow(ctx: AppContext, orgId: string, id: string): Promise<WebhookEndpointsTable> {
  const row = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Webhook');
  return row;
}

/** Creates an endpoint with a new secret, returned here once. The URL must pass the target guard. */
export async function createEndpoint(ctx: AppContext, orgId: string, input: CreateEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const scheme = input.signatureScheme ?? 'arkiv';
  checkAlgorithm(scheme, input.signatureAlgorithm);
  await checkWebhookUrl(input.url, { allowPrivate: ctx.config.webhookAllowPrivate });
  const secret = generateSecret(scheme);
  const now = ctx.now();
  const enabled = input.enabled ?? true;
  const row: WebhookEndpointsTable = {
    id: crypto.randomUUID(),
    org_id: orgId,
    url: input.url,
    description: input.description ?? '',
    enabled: enabled ? 1 : 0,
    events: JSON.stringify(input.events ?? REPORT_EVENT_TYPES),
    filters: input.filters ? JSON.stringify(input.filters) : null,
    signature_scheme: scheme,
    signature_algorithm: input.signatureAlgorithm ?? null,
    retry_policy: input.retryPolicy ? JSON.stringify(input.retryPolicy) : null,
    secret_sealed: ctx.secrets.seal(secret),
    previous_secret_sealed: null,
    previous_secret_expires_at: null,
    failing_since: null,
    disabled_at: enabled ? null : now,
    disabled_reason: enabled ? null : 'manual',
    created_at: now,
    updated_at: now,
  };
  await ctx.db.insertInto('webhook_endpoints').values(row).execute();
  return { endpoint: toEndpoint(row), secret };
}

export async function listEndpoints(ctx: AppContext, orgId: string): Promise<WebhookEndpoint[]> {
  const rows = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toEndpoint);
}

/** Applies a partial update. Disabling abandons pending deliveries; enabling clears the disabled state. */
export async function updateEndpoint(ctx: AppContext, orgId: string, id: string, patch: UpdateEndpointInput): Promise<WebhookEndpoint> {
  const current = await findEndpointRow(ctx, orgId, id);
  // Leaving nexus-iq drops its algorithm choice unless the patch names one (then it is refused).
  if (patch.signatureScheme && patch.signatureScheme !== 'nexus-iq' && patch.signatureAlgorithm === undefined) patch = { ...patch, signatureAlgorithm: null };
  checkAlgorithm(patch.signatureScheme ?? current.signature_scheme, patch.signatureAlgorithm === undefined ? current.signature_algorithm : patch.signatureAlgorithm);
  if (patch.url !== undefined && patch.url !== current.url) await checkWebhookUrl(patch.url, { allowPrivate: ctx.config.webhookAllowPrivate });
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    const changes: Partial<WebhookEndpointsTable> = { updated_at: now };
    if (patch.url !== undefined) changes.url = patch.url;
    if (patch.description !== undefined) changes.description = patch.description;
    if (patch.events !== undefined) changes.events = JSON.stringify(patch.events);
    if (patch.filters !== undefined) changes.filters = patch.filters ? JSON.stringify(patch.filters) : null;
    if (patch.signatureScheme !== undefined) changes.signature_scheme = patch.signatureScheme;
    if (patch.signatureAlgorithm !== undefined) changes.signature_algorithm = patch.signatureAlgorithm;
    if (patch.retryPolicy !== undefined) changes.retry_policy = patch.retryPolicy ? JSON.stringify(patch.retryPolicy) : null;
    if (patch.enabled === true && current.enabled === 0) Object.assign(changes, { enabled: 1, disabled_at: null, disabled_reason: null, failing_since: null });
    await trx.updateTable('webhook_endpoints').set(changes).where('id', '=', id).execute();
    if (patch.enabled === false && current.enabled === 1) await disableEndpoint(trx, { id, reason: 'manual', now });
  });
  return toEndpoint(await findEndpointRow(ctx, orgId, id));
}

/** Deletes the endpoint with its deliveries and their attempt log. */
export async function deleteEndpoint(ctx: AppContext, orgId: string, id: string): Promise<void> {
  await findEndpointRow(ctx, orgId, id);
  await ctx.db.deleteFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function revealSecret(ctx: AppContext, orgId: string, id: string) {
  const row = await findEndpointRow(ctx, orgId, id);
  const live = row.previous_secret_sealed !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > ctx.now();
  return {
    secret: ctx.secrets.open(row.secret_sealed),
    previousSecret: live ? ctx.secrets.open(row.previous_secret_sealed!) : null,
    previousSecretExpiresAt: live ? formatTimestamp(row.previous_secret_expires_at!) : null,
  };
}

/**
 * A new current secret; the old one keeps signing (a second signature on every delivery) until the
 * grace period ends, so receivers can switch without dropping a delivery.
 */
export async function rotateSecret(ctx: AppContext, orgId: string, id: string, graceHours?: number) {
  const row = await findEndpointRow(ctx, orgId, id);
  const now = ctx.now();
  const secret = generateSecret(row.signature_scheme as Parameters<typeof generateSecret>[0]);
  const expires = now + (graceHours ?? ctx.config.webhooks.secretGraceHours) * HOUR;
  await ctx.db
    .updateTable('webhook_endpoints')
    .set({ secret_sealed: ctx.secrets.seal(secret), previous_secret_sealed: row.secret_sealed, previous_secret_expires_at: expires, updated_at: now })
    .where('id', '=', id)
    .execute();
  return { secret, previousSecret: ctx.secrets.open(row.secret_sealed), previousSecretExpiresAt: formatTimestamp(expires) };
}
