import { Gauge, type Registry } from 'prom-client';

export interface QueueFigures {
  pending: number;
  due: number;
  /** How long the longest-waiting due item has been due (0 when none is). */
  lagSeconds: number;
}

export type QueueRead = () => Promise<QueueFigures | undefined>;

const readsByRegistry = new WeakMap<Registry, Map<string, QueueRead>>();

/**
 * Adds a queue to three gauges labelled by queue (`arkiv_queue_pending`, `arkiv_queue_due`,
 * `arkiv_queue_oldest_due_seconds`), so dashboards and alerts treat every queue alike. `read`
 * should be cached (shared/cached-load.ts): it runs at every scrape.
 */
export function addQueueGauges(registry: Registry, queue: string, read: QueueRead): void {
  let reads = readsByRegistry.get(registry);
  if (!reads) {
    readsByRegistry.set(registry, (reads = new Map()));
    const all = reads;
    const gauge = (name: string, help: string, pick: (figures: QueueFigures) => number) =>
      new Gauge({
        name, help, labelNames: ['queue'], registers: [registry],
        async collect() {
          for (const [label, load] of all) {
            const figures = await load();
            if (figures) this.set({ queue: label }, pick(figures));
          }
        },
      });
    gauge('arkiv_queue_pending', 'Items waiting in a queue (due now or scheduled for a retry)', (f) => f.pending);
    gauge('arkiv_queue_due', 'Items of a queue that are due now and not taken by any worker', (f) => f.due);
    gauge('arkiv_queue_oldest_due_seconds', "How long the longest-waiting due item of a queue has been due: the queue's lag", (f) => f.lagSeconds);
  }
  reads.set(queue, read);
}
