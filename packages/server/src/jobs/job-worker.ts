import crypto from 'node:crypto';
import { Counter } from 'prom-client';
import type { AppContext, BackgroundWorker } from '../context.js';
import { Signal } from '../shared/signal.js';
import { claimJobs, extendLease, finishJob, JOBS_CHANNEL, type JobOutcome } from './job-queue.js';
import type { JobsTable } from './job-table.js';

export interface JobRun {
  id: string;
  kind: string;
  orgId: string | null;
  payload: unknown;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the worker stops: give up promptly, the job is retried later. */
  signal: AbortSignal;
}

export type JobHandler = (run: JobRun) => Promise<void>;

/** Thrown by a handler when retrying cannot help (bad credentials, unknown project): the job fails now. */
export class PermanentJobError extends Error {}

export interface JobWorkerOptions {
  pollIntervalMs?: number;
  leaseMs?: number;
  concurrency?: number;
}

const METRIC = 'arkiv_jobs_processed_total';

/**
 * Runs queued jobs of the kinds it has handlers for. Jobs are claimed with a lease that is renewed
 * while the handler runs; a worker that dies stops renewing and its jobs are retaken after the lease.
 * A commit that enqueues a job wakes every worker (ctx.wakeUps); the poll finds jobs whose wake-up
 * was lost and retries whose back-off has passed.
 */
export class JobWorker implements BackgroundWorker {
  readonly name = 'jobs';
  private readonly id = `${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly signal = new Signal();
  private unsubscribe: (() => Promise<void>) | undefined;
  private readonly processed: Counter<'kind' | 'outcome'>;

  constructor(private readonly ctx: AppContext, options: JobWorkerOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? ctx.config.jobPollMs;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 2;
    this.processed = (ctx.metrics.getSingleMetric(METRIC) as Counter<'kind' | 'outcome'> | undefined)
      ?? new Counter({ name: METRIC, help: 'Job attempts by kind and outcome', labelNames: ['kind', 'outcome'], registers: [ctx.metrics] });
  }

  handle(kind: string, handler: JobHandler): this {
    this.handlers.set(kind, handler);
    return this;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Looks for due jobs now instead of at the next poll. */
  wake(): void {
    this.signal.notify();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.signal.notify();
    await this.loop;
    await this.unsubscribe?.();
  }

  private async run(): Promise<void> {
    this.unsubscribe = await this.ctx.wakeUps.subscribe(JOBS_CHANNEL, () => this.wake());
    while (!this.abort.signal.aborted) {
      let claimed: JobsTable[] = [];
      try {
        claimed = await claimJobs(this.ctx.db, {
          workerId: this.id, limit: this.concurrency, now: this.ctx.now(), leaseMs: this.leaseMs, kinds: [...this.handlers.keys()],
        });
        await Promise.all(claimed.map((job) => this.execute(job)));
      } catch (error) {
        this.ctx.log.error({ err: error }, 'job worker: claiming or recording a job failed');
      }
      // A full claim may have left due jobs behind: look again at once.
      if (claimed.length < this.concurrency) await this.signal.wait(this.pollIntervalMs);
    }
  }

  private async execute(job: JobsTable): Promise<void> {
    const handler = this.handlers.get(job.kind)!;
    // The lease must outlive the attempt: renew it at a third of its length while the handler runs.
    const renew = setInterval(() => {
      extendLease(this.ctx.db, { id: job.id, workerId: this.id }, this.ctx.now() + this.leaseMs).catch(() => {});
    }, Math.max(1000, this.leaseMs / 3));
    let outcome: JobOutcome;
    try {
      await handler({
        id: job.id, kind: job.kind, orgId: job.org_id, payload: JSON.parse(job.payload), attempt: job.attempts,
        maxAttempts: job.max_attempts, signal: this.abort.signal,
      });
      outcome = { type: 'succeeded' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = error instanceof PermanentJobError || job.attempts >= job.max_attempts ? { type: 'failed', error: message } : { type: 'retry', error: message };
      this.ctx.log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, outcome: outcome.type, reason: message }, 'job attempt failed');
    } finally {
      clearInterval(renew);
    }
    this.processed.inc({ kind: job.kind, outcome: outcome.type });
    await finishJob(this.ctx.db, { id: job.id, workerId: this.id, attempts: job.attempts }, outcome, this.ctx.now());
  }
}
