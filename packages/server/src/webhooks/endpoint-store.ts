import crypto from 'node:crypto';
import { generateSecret, publicKeyOf, type SignatureAlgorithm, type WebhookScheme } from '@arkiv/client/webhooks';
import type { AppContext } from '../context.js';
import { invalidParameter, notFound } from '../http/errors.js';
import { formatTimestamp } from '../shared/timestamp.js';
import { disableEndpoint } from './endpoint-state.js';
import { toEndpoint, type WebhookEndpoint } from './endpoint-model.js';
import { REPORT_EVENT_TYPES } from './event-types.js';
import { checkWebhookUrl } from './target-guard.js';
import type { CreateEndpointInput, UpdateEndpointInput } from './webhook-schemas.js';
import type { WebhookEndpointsTable } from './schema.js';
import type { Database } from '../db/schema.js';
import type { AlsoInTransaction } from '../db/transaction.js';

const HOUR = 3_600_000;

const ALGORITHMS: Record<string, readonly string[]> = { 'nexus-iq': ['HmacSHA1', 'HmacSHA256'], 'standard-webhooks': ['HmacSHA256', 'Ed25519'], arkiv: [] };

function checkAlgorithm(scheme: string, algorithm: string | null | undefined): void {
  if (algorithm && !ALGORITHMS[scheme]?.includes(algorithm)) {
    throw invalidParameter(`signatureAlgorithm ${algorithm} does not apply to the ${scheme} scheme (nexus-iq: HmacSHA1, HmacSHA256; standard-webhooks: HmacSHA256, Ed25519)`);
  }
}

const isEd25519 = (row: Pick<WebhookEndpointsTable, 'signature_scheme' | 'signature_algorithm'>) =>
  row.signature_scheme === 'standard-webhooks' && row.signature_algorithm === 'Ed25519';

const newSecret = (scheme: string, algorithm: string | null) => generateSecret(scheme as WebhookScheme, algorithm as SignatureAlgorithm | null);

/**
 * What an admin is shown of a sealed secret: an HMAC secret itself, or an Ed25519 private key's
 * public half (`whpk_…`). The private key is never shown: receivers verify with the public key.
 */
function shownSecrets(row: Pick<WebhookEndpointsTable, 'signature_scheme' | 'signature_algorithm'>, current: string, previous: string | null) {
  return isEd25519(row)
    ? { publicKey: publicKeyOf(current), previousPublicKey: previous === null ? null : publicKeyOf(previous) }
    : { secret: current, previousSecret: previous };
}

export async function findEndpointRow(ctx: AppContext, orgId: string, id: string): Promise<WebhookEndpointsTable> {
  const row = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Webhook');
  return row;
}

/** Creates an endpoint with a new secret (or Ed25519 key pair), shown here once. The URL must pass the target guard. */
export async function createEndpoint(ctx: AppContext, orgId: string, input: CreateEndpointInput, also?: AlsoInTransaction<Database, WebhookEndpoint>): Promise<{ endpoint: WebhookEndpoint; secret?: string; publicKey?: string }> {
  const scheme = input.signatureScheme ?? 'arkiv';
  checkAlgorithm(scheme, input.signatureAlgorithm);
  await checkWebhookUrl(input.url, { allowPrivate: ctx.config.webhookAllowPrivate });
  const secret = newSecret(scheme, input.signatureAlgorithm ?? null);
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
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('webhook_endpoints').values(row).execute();
    await also?.(trx, toEndpoint(row));
  });
  const shown = shownSecrets(row, secret, null);
  return { endpoint: toEndpoint(row), ...('publicKey' in shown ? { publicKey: shown.publicKey } : { secret }) };
}

export async function listEndpoints(ctx: AppContext, orgId: string): Promise<WebhookEndpoint[]> {
  const rows = await ctx.db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toEndpoint);
}

/** Applies a partial update. Disabling abandons pending deliveries; enabling clears the disabled state. */
export async function updateEndpoint(ctx: AppContext, orgId: string, id: string, patch: UpdateEndpointInput, also?: AlsoInTransaction<Database, { secretReplaced: boolean }>): Promise<WebhookEndpoint> {
  const current = await findEndpointRow(ctx, orgId, id);
  // Leaving nexus-iq drops its algorithm choice unless the patch names one (then it is refused).
  if (patch.signatureScheme && patch.signatureScheme !== 'nexus-iq' && patch.signatureAlgorithm === undefined) patch = { ...patch, signatureAlgorithm: null };
  checkAlgorithm(patch.signatureScheme ?? current.signature_scheme, patch.signatureAlgorithm === undefined ? current.signature_algorithm : patch.signatureAlgorithm);
  if (patch.url !== undefined && patch.url !== current.url) await checkWebhookUrl(patch.url, { allowPrivate: ctx.config.webhookAllowPrivate });
  const next = {
    signature_scheme: patch.signatureScheme ?? current.signature_scheme,
    signature_algorithm: patch.signatureAlgorithm === undefined ? current.signature_algorithm : patch.signatureAlgorithm,
  };
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    const changes: Partial<WebhookEndpointsTable> = { updated_at: now };
    if (patch.url !== undefined) changes.url = patch.url;
    if (patch.description !== undefined) changes.description = patch.description;
    if (patch.events !== undefined) changes.events = JSON.stringify(patch.events);
    if (patch.filters !== undefined) changes.filters = patch.filters ? JSON.stringify(patch.filters) : null;
    if (patch.signatureScheme !== undefined) changes.signature_scheme = patch.signatureScheme;
    if (patch.signatureAlgorithm !== undefined) changes.signature_algorithm = patch.signatureAlgorithm;
    // An HMAC secret cannot sign Ed25519 nor the reverse: switching replaces it at once (GET …/secret shows the new one).
    const secretReplaced = isEd25519(next) !== isEd25519(current);
    if (secretReplaced) {
      Object.assign(changes, { secret_sealed: ctx.secrets.seal(newSecret(next.signature_scheme, next.signature_algorithm)), previous_secret_sealed: null, previous_secret_expires_at: null });
    }
    if (patch.retryPolicy !== undefined) changes.retry_policy = patch.retryPolicy ? JSON.stringify(patch.retryPolicy) : null;
    if (patch.enabled === true && current.enabled === 0) Object.assign(changes, { enabled: 1, disabled_at: null, disabled_reason: null, failing_since: null });
    await trx.updateTable('webhook_endpoints').set(changes).where('id', '=', id).execute();
    if (patch.enabled === false && current.enabled === 1) await disableEndpoint(trx, { id, reason: 'manual', now });
    await also?.(trx, { secretReplaced });
  });
  return toEndpoint(await findEndpointRow(ctx, orgId, id));
}

/** Deletes the endpoint with its deliveries and their attempt log. */
export async function deleteEndpoint(ctx: AppContext, orgId: string, id: string, also?: AlsoInTransaction<Database, WebhookEndpointsTable>): Promise<void> {
  const row = await findEndpointRow(ctx, orgId, id);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', id).execute();
    await also?.(trx, row);
  });
}

export async function revealSecret(ctx: AppContext, orgId: string, id: string) {
  const row = await findEndpointRow(ctx, orgId, id);
  const live = row.previous_secret_sealed !== null && row.previous_secret_expires_at !== null && row.previous_secret_expires_at > ctx.now();
  return {
    ...shownSecrets(row, ctx.secrets.open(row.secret_sealed), live ? ctx.secrets.open(row.previous_secret_sealed!) : null),
    previousSecretExpiresAt: live ? formatTimestamp(row.previous_secret_expires_at!) : null,
  };
}

/**
 * A new current secret; the old one keeps signing (a second signature on every delivery) until the
 * grace period ends, so receivers can switch without dropping a delivery.
 */
export async function rotateSecret(ctx: AppContext, orgId: string, id: string, graceHours?: number, also?: AlsoInTransaction<Database, { previousSecretExpiresAt: number }>) {
  const row = await findEndpointRow(ctx, orgId, id);
  const now = ctx.now();
  const secret = newSecret(row.signature_scheme, row.signature_algorithm);
  const expires = now + (graceHours ?? ctx.config.webhooks.secretGraceHours) * HOUR;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_endpoints')
      .set({ secret_sealed: ctx.secrets.seal(secret), previous_secret_sealed: row.secret_sealed, previous_secret_expires_at: expires, updated_at: now })
      .where('id', '=', id)
      .execute();
    await also?.(trx, { previousSecretExpiresAt: expires });
  });
  return { ...shownSecrets(row, secret, ctx.secrets.open(row.secret_sealed)), previousSecretExpiresAt: formatTimestamp(expires) };
}
