import type { AppContext } from '../context.js';
import { DeliveryDispatcher } from './dispatcher.js';
import { reportEventsHook } from './outbox.js';
import { registerWebhookQueueMetrics } from './queue-metrics.js';
import { RetentionWorker } from './retention.js';

/** Webhooks join the core: report changes feed the outbox; the dispatcher and cleanup run as workers. */
export function installWebhooks(ctx: AppContext): void {
  ctx.reportHooks.push(reportEventsHook);
  ctx.workers.push(new DeliveryDispatcher(ctx), new RetentionWorker(ctx));
  registerWebhookQueueMetrics(ctx);
}
