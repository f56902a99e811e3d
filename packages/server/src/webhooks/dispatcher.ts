import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { Agent } from 'undici';
import type { AppContext, BackgroundWorker } from '../context.js';
import { signingSecrets } from './endpoint-model.js';
import { deliveryHeaders } from './delivery-request.js';
import { outboxDialect, onLocalWake, type ClaimedDelivery } from './outbox-sql.js';
import { ResultRecorder } from './record-results.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { sendAttempt } from './send.js';
import { Signal } from './signal.js';
import { createGuardedDispatcher } from './target-guard.js';
import { WakeListener } from './wake-listener.js';
import { dispatcherMetrics, type DispatcherMetrics } from './metrics.js';
import type { WebhookEndpointsTable } from './schema.js';

/** Time a lease outlives the request deadline: enough to record the result on a loaded machine. */
export function leaseMs(timeoutMs: number): number {
  return timeoutMs + Math.max(1000, Math.ceil(timeoutMs / 2));
}

type EndpointRow = Pick<WebhookEndpointsTable, 'id' | 'url' | 'signature_scheme' | 'signature_algorithm' | 'retry_policy' | 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_expires_at'>;

/**
 * Claims due deliveries and sends them. Any number of these may share one PostgreSQL (leases and
 * SKIP LOCKED keep them apart); on SQLite there is one per process. A slow endpoint holds at most
 * `endpointConcurrency` of the `concurrency` slots, so it never delays other endpoints' deliveries.
 */
export class DeliveryDispatcher implements BackgroundWorker {
  readonly name = 'webhook-dispatcher';
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private readonly settings;
  private readonly signal = new Signal();
  private readonly cancel = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perEndpoint = new Map<string, number>();
  private readonly agent: Agent;
  private readonly recorder: ResultRecorder;
  private readonly metrics: DispatcherMetrics;
  private running = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private listener: WakeListener | undefined;

  constructor(private readonly ctx: AppContext) {
    this.settings = ctx.config.webhooks;
    this.agent = createGuardedDispatcher(
      { allowPrivate: ctx.config.webhookAllowPrivate },
      { connectTimeout: this.settings.timeoutMs, connections: this.settings.endpointConcurrency, keepAliveTimeout: 4000 },
    );
    this.recorder = new ResultRecorder(ctx.db, this.owner, () => ctx.now(), ctx.log);
    this.metrics = dispatcherMetrics(ctx.metrics);
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    this.signal.notify();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { ctx } = this;
    if (ctx.database.dialect === 'sqlite') {
      // A lone SQLite process owns every lease in its file: those it finds are its own, left by a crash.
      await ctx.db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: null, next_attempt_at: ctx.now() })
        .where(sql<boolean>`status = 'pending'`)
        .where('lease_owner', 'is not', null)
        .execute()
        .catch((error) => ctx.log.error({ err: error }, 'could not reclaim stale webhook leases'));
      this.unsubscribe = onLocalWake(() => this.wake());
    } else if (ctx.config.databaseUrl) {
      this.listener = new WakeListener(ctx.config.databaseUrl, () => this.wake(), ctx.log);
      await this.listener.start();
    }
    while (this.running) {
      let claimed = 0;
      let free = this.settings.concurrency - this.inFlight.size;
      try {
        if (free > 0) claimed = await this.claimAndSend(free);
      } catch (error) {
        ctx.log.error({ err: error }, 'webhook claim failed; retrying after the poll interval');
        free = 0;
      }
      // A full batch means more may be due right away; otherwise sleep until woken.
      if (claimed === 0 || claimed < free) await this.signal.wait(this.settings.pollMs);
    }
  }

  private busyEndpoints(): string[] {
    return [...this.perEndpoint].filter(([, n]) => n >= this.settings.endpointConcurrency).map(([id]) => id);
  }

  private async claimAndSend(free: number): Promise<number> {
    const { ctx } = this;
    const now = ctx.now();
    const claimed = await outboxDialect(ctx.db).claimDue(ctx.db, {
      now,
      owner: this.owner,
      leaseUntil: now + leaseMs(this.settings.timeoutMs),
      limit: free,
      perEndpoint: this.settings.endpointConcurrency,
      busyEndpoints: this.busyEndpoints(),
    });
    if (claimed.length === 0) return 0;
    const [events, endpoints] = await Promise.all([
      ctx.db.selectFrom('webhook_events').select(['id', 'type', 'payload']).where('id', 'in', [...new Set(claimed.map((c) => c.event_id))]).execute(),
      ctx.db
        .selectFrom('webhook_endpoints')
        .select(['id', 'url', 'signature_scheme', 'signature_algorithm', 'retry_policy', 'secret_sealed', 'previous_secret_sealed', 'previous_secret_expires_at'])
        .where('id', 'in', [...new Set(claimed.map((c) => c.endpoint_id))])
        .execute(),
    ]);
    const eventById = new Map(events.map((e) => [e.id, e]));
    const endpointById = new Map(endpoints.map((e) => [e.id, e]));
    for (const delivery of claimed) {
      const event = eventById.get(delivery.event_id);
      const endpoint = endpointById.get(delivery.endpoint_id);
      // Deleted meanwhile (cascade): nothing to send, nothing to record.
      if (!event || !endpoint) continue;
      this.track(delivery.endpoint_id, this.deliver(delivery, event, endpoint));
    }
    return claimed.length;
  }

  private track(endpointId: string, job: Promise<void>): void {
    this.perEndpoint.set(endpointId, (this.perEndpoint.get(endpointId) ?? 0) + 1);
    const done: Promise<void> = job.finally(() => {
      this.inFlight.delete(done);
      const left = (this.perEndpoint.get(endpointId) ?? 1) - 1;
      if (left > 0) this.perEndpoint.set(endpointId, left);
      else this.perEndpoint.delete(endpointId);
      this.signal.notify();
    });
    this.inFlight.add(done);
  }

  private async deliver(delivery: ClaimedDelivery, event: { type: string; payload: string }, endpoint: EndpointRow): Promise<void> {
    const { ctx } = this;
    const startedAt = ctx.now();
    const policy = resolveRetryPolicy(JSON.parse(endpoint.retry_policy ?? 'null') as RetryPolicy | null, this.settings);
    let headers: Record<string, string> = {};
    let result;
    try {
      headers = deliveryHeaders({
        deliveryId: delivery.id,
        eventType: event.type,
        body: event.payload,
        scheme: endpoint.signature_scheme as never,
        algorithm: endpoint.signature_algorithm as never,
        secrets: signingSecrets(endpoint, ctx.secrets, startedAt),
        now: startedAt,
      });
      result = await sendAttempt({ url: endpoint.url, headers, body: event.payload, timeoutMs: this.settings.timeoutMs, dispatcher: this.agent, cancel: this.cancel.signal });
    } catch (error) {
      // Signing failed (e.g. an unreadable secret after a key change): a failed attempt, logged.
      ctx.log.error({ err: error, endpointId: endpoint.id }, 'could not sign a webhook delivery');
      result = { ok: false, status: null, headers: null, body: null, error: 'could not sign the delivery', durationMs: 0, cancelled: false };
    }
    this.metrics.observe(result);
    if (!result.ok && !result.cancelled) ctx.log.warn({ endpointId: endpoint.id, deliveryId: delivery.id, error: result.error }, 'webhook attempt failed');
    await this.recorder.record({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      attempt: delivery.attempts + 1,
      horizonFrom: delivery.horizon_from,
      policy,
      startedAt,
      requestHeaders: headers,
      result,
    });
  }

  /** Stops claiming, lets in-flight attempts finish for a short grace, then cancels and releases the rest. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signal.notify();
    await this.loop;
    this.unsubscribe?.();
    await this.listener?.stop();
    // Short, so shutdowns stay quick; anything slower is released and retried by the next worker.
    const grace = Math.min(2000, Math.floor(this.settings.timeoutMs / 2));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.inFlight), new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
    clearTimeout(timer);
    this.cancel.abort();
    await Promise.all(this.inFlight);
    await this.recorder.flush();
    await this.agent.close().catch(() => {});
  }
}
