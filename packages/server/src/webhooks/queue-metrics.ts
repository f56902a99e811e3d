import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import type { AppContext } from '../context.js';
import { cachedLoad } from '../shared/cached-load.js';
import { addQueueGauges } from '../shared/queue-gauges.js';

/** How often the gauges below may query, per process, however often /metrics is scraped. */
export const QUEUE_METRICS_TTL_MS = 10_000;

/**
 * The webhook outbox as an on-call engineer needs it: how many deliveries are pending, how many of
 * them are due now, how late the most overdue one is (a growing lag means workers cannot keep up
 * or none is running), and how many endpoints are disabled and why. Read from the database (every
 * process sees the same outbox), through one cached query per kind.
 */
export function registerWebhookQueueMetrics(ctx: AppContext): void {
  const registry = ctx.metrics;
  if (registry.getSingleMetric('arkiv_webhook_endpoints_disabled')) return;
  const onError = (error: unknown) => ctx.log.warn({ err: error }, 'metrics: could not read the webhook outbox');
  const outbox = cachedLoad(async () => {
    const now = ctx.now();
    const row = await ctx.db
      .selectFrom('webhook_deliveries')
      .where(sql<boolean>`status = 'pending'`)
      .select([
        (eb) => eb.fn.countAll<number | string>().as('pending'),
        sql<number | string | null>`sum(case when next_attempt_at <= ${now} then 1 else 0 end)`.as('due'),
        (eb) => eb.fn.min('next_attempt_at').as('earliest'),
      ])
      .executeTakeFirstOrThrow();
    const earliest = row.earliest === null ? null : Number(row.earliest);
    return { pending: Number(row.pending), due: Number(row.due ?? 0), lagSeconds: earliest !== null && earliest <= now ? (now - earliest) / 1000 : 0 };
  }, QUEUE_METRICS_TTL_MS, onError);
  const disabled = cachedLoad(
    () => ctx.db.selectFrom('webhook_endpoints').where('enabled', '=', 0).select(['disabled_reason', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('disabled_reason').execute(),
    QUEUE_METRICS_TTL_MS,
    onError,
  );
  addQueueGauges(registry, 'webhook_deliveries', outbox);
  new Gauge({
    name: 'arkiv_webhook_endpoints_disabled',
    help: 'Webhook endpoints disabled, by reason (manual, gone: answered 410, failing: past the retry horizon)',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const rows = await disabled();
      if (!rows) return;
      this.reset();
      for (const reason of ['manual', 'gone', 'failing']) this.set({ reason }, 0);
      for (const row of rows) this.set({ reason: row.disabled_reason ?? 'manual' }, Number(row.n));
    },
  });
}
