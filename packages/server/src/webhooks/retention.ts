import { sql, type Kysely } from 'kysely';
import type { AppContext, BackgroundWorker } from '../context.js';
import type { Database } from '../db/schema.js';
import './schema.js';

const DAY = 86_400_000;
const BATCH = 1000;
const EVERY_MS = 3_600_000;

/**
 * Deletes finished deliveries (with their attempts) completed before the cutoff, then events no
 * delivery refers to any more. Pending deliveries are never deleted, however old. Runs in batches
 * so no statement holds locks for long; safe to run from several processes at once.
 */
export async function purgeWebhookHistory(db: Kysely<Database>, cutoff: number): Promise<{ deliveries: number; events: number }> {
  let deliveries = 0;
  for (;;) {
    const result = await db
      .deleteFrom('webhook_deliveries')
      .where('id', 'in', (eb) =>
        eb.selectFrom('webhook_deliveries').select('id').where(sql<boolean>`status <> 'pending'`).where('completed_at', '<', cutoff).limit(BATCH),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    deliveries += n;
    if (n < BATCH) break;
  }
  let events = 0;
  for (;;) {
    const result = await db
      .deleteFrom('webhook_events')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('webhook_events as e')
          .select('e.id')
          .where('e.created_at', '<', cutoff)
          .where((w) => w.not(w.exists(w.selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'e.id'))))
          .limit(BATCH),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    events += n;
    if (n < BATCH) break;
  }
  return { deliveries, events };
}

/** The cleanup job: once at start, then hourly. */
export class RetentionWorker implements BackgroundWorker {
  readonly name = 'webhook-retention';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    const tick = () => {
      this.running = this.runOnce().finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, EVERY_MS);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    const { ctx } = this;
    try {
      const purged = await purgeWebhookHistory(ctx.db, ctx.now() - ctx.config.webhooks.retentionDays * DAY);
      if (purged.deliveries || purged.events) ctx.log.info(purged, 'purged old webhook deliveries and events');
    } catch (error) {
      ctx.log.error({ err: error }, 'webhook retention cleanup failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
