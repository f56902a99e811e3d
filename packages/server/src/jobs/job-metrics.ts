import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { cachedLoad } from '../shared/cached-load.js';
import { addQueueGauges } from '../shared/queue-gauges.js';

const TTL_MS = 10_000;

/** The job queue (imports) in the shared queue gauges: queued jobs, due ones, and the lag. */
export function registerJobQueueMetrics(ctx: AppContext): void {
  const read = cachedLoad(async () => {
    const now = ctx.now();
    const row = await ctx.db
      .selectFrom('jobs')
      .where('status', '=', 'queued')
      .select([
        (eb) => eb.fn.countAll<number | string>().as('pending'),
        sql<number | string | null>`sum(case when run_at <= ${now} then 1 else 0 end)`.as('due'),
        (eb) => eb.fn.min('run_at').as('earliest'),
      ])
      .executeTakeFirstOrThrow();
    const earliest = row.earliest === null ? null : Number(row.earliest);
    return { pending: Number(row.pending), due: Number(row.due ?? 0), lagSeconds: earliest !== null && earliest <= now ? (now - earliest) / 1000 : 0 };
  }, TTL_MS, (error) => ctx.log.warn({ err: error }, 'metrics: could not read the job queue'));
  addQueueGauges(ctx.metrics, 'jobs', read);
}
