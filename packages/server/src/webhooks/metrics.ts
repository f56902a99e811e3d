import { Counter, Histogram, type Registry } from 'prom-client';
import type { AttemptResult } from './send.js';

export interface DispatcherMetrics {
  /** One attempt's outcome; `queuedAt` (epoch ms, when the delivery was queued or redelivered) and `now` time a success end to end. */
  observe(result: AttemptResult, queuedAt: number, now: number): void;
}

/** Attempt outcomes and durations; registered once per registry (one per process or test server). */
export function dispatcherMetrics(registry: Registry): DispatcherMetrics {
  const attempts =
    (registry.getSingleMetric('arkiv_webhook_attempts_total') as Counter<'outcome'> | undefined) ??
    new Counter({ name: 'arkiv_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [registry] });
  const duration =
    (registry.getSingleMetric('arkiv_webhook_attempt_duration_seconds') as Histogram | undefined) ??
    new Histogram({ name: 'arkiv_webhook_attempt_duration_seconds', help: 'Duration of webhook attempts', buckets: [0.005, 0.02, 0.1, 0.5, 1, 5, 10, 30], registers: [registry] });
  const endToEnd =
    (registry.getSingleMetric('arkiv_webhook_delivery_latency_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'arkiv_webhook_delivery_latency_seconds',
      help: 'From the commit that queued a delivery (or a redelivery) to its successful attempt, retries included',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 24 * 3600, 72 * 3600],
      registers: [registry],
    });
  // One child per outcome, looked up once: inc({ outcome }) hashes the labels on every call.
  const byOutcome = new Map<string, ReturnType<typeof attempts.labels>>();
  const outcome = (name: string) => byOutcome.get(name) ?? byOutcome.set(name, attempts.labels(name)).get(name)!;
  return {
    observe(result, queuedAt, now) {
      if (result.cancelled) return;
      if (result.ok) endToEnd.observe(Math.max(0, now - queuedAt) / 1000);
      outcome(result.ok ? 'success' : result.status === null ? 'error' : `http_${Math.floor(result.status / 100)}xx`).inc();
      duration.observe(result.durationMs / 1000);
    },
  };
}
