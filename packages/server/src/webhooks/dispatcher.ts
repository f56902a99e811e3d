import crypto from 'node:crypto';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { sql } from 'kysely';
import type { Agent } from 'undici';
import { MAX_WEBHOOK_TIMEOUT_MS } from '../config.js';
import type { AppContext, BackgroundWorker } from '../context.js';
import type { SecretBox } from '../secrets.js';
import { DueKnowledge } from './due-knowledge.js';
import { signingSecrets } from './endpoint-model.js';
import { openedSecretsCache } from './opened-secrets.js';
import { deliveryHeaders } from './delivery-request.js';
import { CLAIM_SCAN_ROWS, LEASE_BOOKKEEPING, outboxDialect, WAKE_CHANNEL, type ClaimedJob } from './outbox-sql.js';
import { ResultRecorder, type FinishedAttempt } from './record-results.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { sendAttempt, type AttemptResult } from './send.js';
import { Signal } from '../shared/signal.js';
import { createGuardedDispatcher } from './target-guard.js';
import { dispatcherMetrics, type DispatcherMetrics } from './metrics.js';

/** Time a lease outlives the request deadline: enough to record the result on a loaded machine. */
export function leaseMs(timeoutMs: number): number {
  return timeoutMs + Math.max(1000, Math.ceil(timeoutMs / 2));
}

const fullEndpoints = (held: ReadonlyMap<string, number>, perEndpoint: number) => [...held].filter(([, n]) => n >= perEndpoint).map(([id]) => id);

/** Deliveries a lane holds: sending, waiting for a slot, or having their result written. */
const laneHeld = (lane: Lane) => lane.sending + lane.waiting.length + lane.recording;

interface Job extends ClaimedJob {
  leaseUntil: number;
}

/** One endpoint's deliveries in this process: at most `endpointConcurrency` sending, more claimed and waiting. */
interface Lane {
  sending: number;
  waiting: Job[];
  /** Sent, result being written: still leased, so still counted against the lane's reserve. */
  recording: number;
  /** The last claim filled this lane: more of its deliveries may be due. */
  maybeMore: boolean;
}

/**
 * Claimed deliveries a lane (and the process) may hold per sending slot: the extra wait for a
 * slot, so a busy endpoint costs a claim per few dozen deliveries, and a lane refilled at half
 * its reserve still has work for its slots while the claim's round trip runs.
 */
const RESERVE = 16;

const CANCELLED: AttemptResult = { ok: false, status: null, headers: null, body: null, error: null, durationMs: 0, cancelled: true };

/**
 * Claims due deliveries and sends them. Any number of these may share one PostgreSQL (leases and
 * SKIP LOCKED keep them apart); on SQLite there is one per process. A slow endpoint holds at most
 * `endpointConcurrency` of the `concurrency` sending slots, so it never delays other endpoints.
 * Each endpoint may hold a few times more claimed deliveries waiting for a slot (RESERVE).
 */
export class DeliveryDispatcher implements BackgroundWorker {
  readonly name = 'webhook-dispatcher';
  readonly owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private readonly settings;
  private readonly signal = new Signal();
  private readonly cancel = new AbortController();
  private readonly jobs = new Set<Promise<void>>();
  private readonly lanes = new Map<string, Lane>();
  /**
   * Every delivery this process holds, from its claim until its result is written. A job that
   * waited past its lease is due again and a later claim may lease it to us again: that claim
   * renews the held job instead of queueing a second copy (which would be sent twice).
   */
  private readonly heldJobs = new Map<string, Job>();
  /** Made at the first attempt: a process that never runs this worker (serve --no-worker) never loads undici. */
  private agentCreated: Agent | undefined;
  private readonly recorder: ResultRecorder;
  private readonly metrics: DispatcherMetrics;
  /** Opens sealed secrets once per sealed value (a rotation seals a new one), not once per attempt. */
  private readonly secrets: Pick<SecretBox, 'open'>;
  private sending = 0;
  private held = 0;
  private running = false;
  private readonly due: DueKnowledge;
  /** The last claim took all the process's reserve allowed: more may be due. */
  private roomLimited = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly ctx: AppContext) {
    this.settings = ctx.config.webhooks;
    this.recorder = new ResultRecorder(ctx.db, ctx.database.pool, this.owner, () => ctx.now(), ctx.log);
    this.metrics = dispatcherMetrics(ctx.metrics);
    this.secrets = openedSecretsCache(ctx.secrets);
    this.due = new DueKnowledge(this.settings.pollMs, () => ctx.now());
    // Every attempt in flight listens for the cancel: as many listeners as slots, not a leak.
    setMaxListeners(Infinity, this.cancel.signal);
  }

  private get agent(): Agent {
    return (this.agentCreated ??= createGuardedDispatcher(
      { allowPrivate: this.ctx.config.webhookAllowPrivate },
      // Per origin, sockets are bounded by our own slots: endpoints on one host must not share four.
      { connectTimeout: this.settings.timeoutMs, connections: this.settings.concurrency, keepAliveTimeout: 4000 },
    ));
  }

  /** Looks for due deliveries now instead of at the next poll. */
  wake(): void {
    // Something new may be due (a commit, a redelivery): what the last claims learnt is stale.
    this.due.forget();
    this.signal.notify();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    await this.subscribe();
    while (this.running) {
      const room = this.settings.concurrency * RESERVE - this.held;
      let claimed = { count: 0, sawWholeWindow: false };
      if (room > 0) {
        try {
          claimed = await this.claim(room);
        } catch (error) {
          this.ctx.log.error({ err: error }, 'webhook claim failed; retrying after the poll interval');
        }
      }
      this.roomLimited = room <= 0 || claimed.count >= room;
      // Look again at once when the claim may have left due rows unseen (it scanned all it was
      // allowed to), unless an earlier claim showed that only endpoints full now have such rows.
      // Otherwise sleep until woken.
      const again = room > 0 && claimed.sawWholeWindow && !this.due.onlyFullEndpointsDue((id) => this.isFull(id));
      if (!again && !(await this.signal.wait(this.settings.pollMs))) this.due.forget();
    }
  }

  private isFull(id: string): boolean {
    const lane = this.lanes.get(id);
    return lane !== undefined && laneHeld(lane) >= this.settings.endpointConcurrency * RESERVE;
  }

  private async subscribe(): Promise<void> {
    const { ctx } = this;
    if (ctx.database.dialect === 'sqlite') {
      // A lone SQLite process owns every lease in its file: those it finds are its own, left by a
      // crash. A lease ends at most one longest lease from now, so the due index's range up to
      // there holds them all: deliveries scheduled later (a large backlog) are not read.
      const now = ctx.now();
      await ctx.db
        .updateTable('webhook_deliveries')
        .set({ lease_owner: null, next_attempt_at: now })
        .where(sql<boolean>`status = 'pending'`)
        .where('next_attempt_at', '<=', now + leaseMs(MAX_WEBHOOK_TIMEOUT_MS))
        .where('lease_owner', 'is not', null)
        .execute()
        .catch((error) => ctx.log.error({ err: error }, 'could not reclaim stale webhook leases'));
    }
    this.unsubscribe = await ctx.wakeUps.subscribe(WAKE_CHANNEL, () => this.wake());
  }

  private async claim(room: number): Promise<{ count: number; sawWholeWindow: boolean }> {
    const { ctx } = this;
    const now = ctx.now();
    const leaseUntil = now + leaseMs(this.settings.timeoutMs);
    const held = new Map([...this.lanes].map(([id, lane]) => [id, laneHeld(lane)]));
    const perEndpoint = this.settings.endpointConcurrency * RESERVE;
    const { claimed, scanned } = await outboxDialect(ctx.db).claimDue(ctx.database, { now, owner: this.owner, leaseUntil, limit: room, perEndpoint, inFlight: held });
    const sawWholeWindow = scanned >= Math.min(room, CLAIM_SCAN_ROWS);
    const claimedFor = new Map<string, number>();
    for (const c of claimed) claimedFor.set(c.delivery.endpoint_id, (claimedFor.get(c.delivery.endpoint_id) ?? 0) + 1);
    // An endpoint that got less than its free places has nothing more due: until a wake-up says
    // otherwise, its finished jobs need not trigger claims that would come back empty.
    for (const [id, lane] of this.lanes) lane.maybeMore = (claimedFor.get(id) ?? 0) >= perEndpoint - (held.get(id) ?? 0);
    if (claimed.length === 0) {
      this.due.learn(sawWholeWindow, fullEndpoints(held, perEndpoint));
      return { count: 0, sawWholeWindow };
    }
    for (const job of claimed) {
      const holding = this.heldJobs.get(job.delivery.id);
      if (holding) holding.leaseUntil = leaseUntil;
      else this.enqueue({ ...job, leaseUntil });
    }
    const filled = new Set<string>();
    for (const [id, n] of claimedFor) {
      const full = n >= perEndpoint - (held.get(id) ?? 0);
      if (full) filled.add(id);
      const lane = this.lanes.get(id);
      if (lane) lane.maybeMore = full;
    }
    this.due.learn(sawWholeWindow, [...fullEndpoints(held, perEndpoint), ...filled]);
    return { count: claimed.length, sawWholeWindow };
  }

  private enqueue(job: Job): void {
    const id = job.endpoint.id;
    let lane = this.lanes.get(id);
    if (!lane) this.lanes.set(id, (lane = { sending: 0, waiting: [], recording: 0, maybeMore: true }));
    lane.waiting.push(job);
    this.heldJobs.set(job.delivery.id, job);
    this.held++;
    this.pump(id, lane);
  }

  /**
   * Starts waiting jobs while the endpoint and the process have free sending slots. A slot is
   * free again as soon as the HTTP exchange ends; writing the result happens beside the next send.
   */
  private pump(id: string, lane: Lane): void {
    while (lane.waiting.length > 0 && lane.sending < this.settings.endpointConcurrency && this.sending < this.settings.concurrency) {
      const job = lane.waiting.shift()!;
      lane.sending++;
      this.sending++;
      const done: Promise<void> = this.attempt(job)
        .catch((error: unknown) => {
          // A database error renewing the lease: not an attempt. The lease expires and the
          // delivery is retried; the slot must be given back either way.
          this.ctx.log.error({ err: error, deliveryId: job.delivery.id }, 'could not start a webhook attempt; it will be retried');
          return undefined;
        })
        .then((finished) => {
          lane.sending--;
          this.sending--;
          lane.recording++;
          this.pumpAll(id, lane);
          return finished && this.recorder.record(finished);
        })
        .finally(() => {
          this.jobs.delete(done);
          this.heldJobs.delete(job.delivery.id);
          lane.recording--;
          this.held--;
          this.afterJob(id, lane);
        });
      this.jobs.add(done);
    }
  }

  private pumpAll(id: string, lane: Lane): void {
    this.pump(id, lane);
    // A slot freed by this endpoint may be what another endpoint's waiting jobs need.
    for (const [otherId, other] of this.lanes) if (other.waiting.length > 0) this.pump(otherId, other);
  }

  private afterJob(id: string, lane: Lane): void {
    if (laneHeld(lane) === 0) this.lanes.delete(id);
    // Claim more once half this endpoint's reserve is free, if the last claim left some behind:
    // early enough that its slots still have deliveries waiting while the claim runs, late enough
    // that a claim takes a worthwhile batch. Or once half the process's reserve is free, if the
    // last claim was cut short by it.
    if ((lane.maybeMore && laneHeld(lane) <= (this.settings.endpointConcurrency * RESERVE) / 2) || (this.roomLimited && this.held <= (this.settings.concurrency * RESERVE) / 2)) {
      this.signal.notify();
    }
  }

  /** Signs and sends one delivery; undefined when its lease was lost while it waited. */
  private async attempt(job: Job): Promise<FinishedAttempt | undefined> {
    const { ctx } = this;
    const { delivery, event, endpoint } = job;
    if (!(await this.keepLease(job))) return undefined;
    const startedAt = ctx.now();
    const policy = resolveRetryPolicy(JSON.parse(endpoint.retry_policy ?? 'null') as RetryPolicy | null, this.settings);
    let headers: Record<string, string> = {};
    let result: AttemptResult;
    try {
      headers = deliveryHeaders({
        deliveryId: delivery.id,
        eventType: event.type,
        body: event.payload,
        scheme: endpoint.signature_scheme as never,
        algorithm: endpoint.signature_algorithm as never,
        secrets: signingSecrets(endpoint, this.secrets, startedAt),
        now: startedAt,
      });
      result = this.cancel.signal.aborted
        ? CANCELLED
        : await sendAttempt({ url: endpoint.url, headers, body: event.payload, timeoutMs: this.settings.timeoutMs, dispatcher: this.agent, cancel: this.cancel.signal });
    } catch (error) {
      // Signing failed (e.g. an unreadable secret after a key change): a failed attempt, logged.
      ctx.log.error({ err: error, endpointId: endpoint.id }, 'could not sign a webhook delivery');
      result = { ok: false, status: null, headers: null, body: null, error: 'could not sign the delivery', durationMs: 0, cancelled: false };
    }
    this.metrics.observe(result, delivery.horizon_from, ctx.now());
    if (!result.ok && !result.cancelled) ctx.log.warn({ endpointId: endpoint.id, deliveryId: delivery.id, error: result.error }, 'webhook attempt failed');
    return {
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      endpointWasFailing: endpoint.failing_since !== null,
      attempt: delivery.attempts + 1,
      horizonFrom: delivery.horizon_from,
      policy,
      startedAt,
      requestHeaders: headers,
      result,
    };
  }

  /**
   * A job that waited for a slot must still hold its lease for a whole attempt; if not, renew it
   * first. False when the lease was lost meanwhile (disabled endpoint, another worker): skip it.
   */
  private async keepLease(job: Job): Promise<boolean> {
    const now = this.ctx.now();
    if (job.leaseUntil - now >= this.settings.timeoutMs + 500) return true;
    job.leaseUntil = now + leaseMs(this.settings.timeoutMs);
    if (this.ctx.database.dialect === 'postgres') {
      // Lease bookkeeping: the commit need not wait for the WAL flush (see LEASE_BOOKKEEPING).
      const { rows } = await sql<{ id: string }>`
        with ${LEASE_BOOKKEEPING}, renewed as (
          update webhook_deliveries set next_attempt_at = ${job.leaseUntil}
          where id = ${job.delivery.id} and lease_owner = ${this.owner} and status = 'pending'
          returning id
        )
        select renewed.id from renewed cross join lease_bookkeeping`.execute(this.ctx.db);
      return rows.length === 1;
    }
    const renewed = await this.ctx.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: job.leaseUntil })
      .where('id', '=', job.delivery.id)
      .where('lease_owner', '=', this.owner)
      .where(sql<boolean>`status = 'pending'`)
      .executeTakeFirst();
    return Number(renewed.numUpdatedRows) === 1;
  }

  /**
   * Stops claiming, lets attempts in flight finish for a short grace, then cancels the rest.
   * Cancelled and still-waiting deliveries are released: due again at once, no attempt counted.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signal.notify();
    await this.loop;
    await this.unsubscribe?.();
    // Short, so shutdowns stay quick; anything slower is released and retried by the next worker.
    const grace = Math.min(2000, Math.floor(this.settings.timeoutMs / 2));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.jobs), new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
    clearTimeout(timer);
    this.cancel.abort();
    // Waiting jobs start as slots free up, see the abort and are released without sending.
    while (this.jobs.size > 0) await Promise.all(this.jobs);
    await this.recorder.flush();
    await this.agentCreated?.close().catch(() => {});
  }
}
