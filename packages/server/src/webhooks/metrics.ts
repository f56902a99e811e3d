import { Counter, Histogram, type Registry } from 'prom-client';
import type { AttemptResult } from './send.js';

export interface DispatcherMetrics {
  observe(result: AttemptResult): void;
}

/** Attempt outcomes and durations; registered once per registry (one per process or test server). */
export function dispatcherMetrics(registry: Registry): DispatcherMetrics {
  const attempts =
    (registry.getSingleMetric('arkiv_webhook_attempts_total') as Counter<'outcome'> | undefined) ??
    new Counter({ name: 'arkiv_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [registry] });
  const duration =
    (registry.getSingleMetric('arkiv_webhook_attempt_duration_seconds') as Histogram | undefined) ??
    new Histogram({ name: 'arkiv_webhook_attempt_duration_seconds', help: 'Duration of webhook attempts', buckets: [0.005, 0.02, 0.1, 0.5, 1, 5, 10, 30], registers: [registry] });
  return {
    observe(result) {
      if (result.cancelled) return;
      attempts.inc({ outcome: result.ok ? 'success' : result.status === null ? 'error' : `http_${Math.floor(result.status / 100)}xx` });
      duration.observe(result.durationMs / 1000);
    },
  };
}
