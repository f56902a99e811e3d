import crypto from 'node:crypto';
import { Counter } from 'prom-client';
import type { AppContext, BackgroundWorker } from '../context.js';
import { claimJobs, extendLease, finishJob, type JobOutcome } from './job-queue.js';
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
const workersByContext = new WeakMap<AppContext, JobWorker>();

/** Nudges this process's job worker after an enqueue so the job starts now, not at the next poll. */
export function wakeJobWorker(ctx: AppContext): void {
  workersByContext.get(ctx)?.wake();
}

/**
 * Runs queued jobs of the kinds it has handlers for. Jobs are claimed with a lease that is renewed
 * while the handler runs; a worker that dies stops renewing and its jobs are retaken after the lease.
 * Other processes (`arkiv worker`) find jobs by polling; this process also wakes on `wake()`.
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
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly processed: Counter<'kind' | 'outcome'>;

  constructor(private readonly ctx: AppContext, options: JobWorkerOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 2;
    this.processed = (ctx.metrics.getSingleMetric(METRIC) as Counter<'kind' | 'outcome'> | undefined)
      ?? new Counter({ name: METRIC, help: 'Job attempts by kind and outcome', labelNames: ['kind', 'outcome'], registers: [ctx.metrics] });
    workersByContext.set(ctx, this);
  }

  handle(kind: string, handler: JobHandler): this {
    this.handlers.set(kind, handler);
    return this;
  }

  start(): void {
    this.loop ??= this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let claimed: JobsTable[] = [];
      try {
        this.woken = false;
        claimed = await claimJobs(this.ctx.db, {
          workerId: this.id, limit: this.concurrency, now: this.ctx.now(), leaseMs: this.leaseMs, kinds: [...this.handlers.keys()],
        });
        await Promise.all(claimed.map((job) => this.execute(job)));
      } catch (error) {
        this.ctx.log.error({ err: error }, 'job worker: claiming or recording a job failed');
      }
      if (claimed.length === 0 && !this.woken) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = undefined;
    });
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
