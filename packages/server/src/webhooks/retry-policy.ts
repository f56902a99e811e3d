import type { WebhookSettings } from '../config.js';

/** How a failed delivery is retried. Stored per endpoint as JSON; null means the configured default. */
export interface RetryPolicy {
  /** fixed: every `intervalSeconds`; exponential: 1 min doubling to 1 h, with ±20 % jitter. */
  strategy: 'fixed' | 'exponential';
  intervalSeconds?: number;
  /** No attempt is scheduled later than this after the delivery was queued (or redelivered). */
  horizonHours?: number;
}

export interface ResolvedRetryPolicy {
  strategy: 'fixed' | 'exponential';
  intervalSeconds: number;
  horizonHours: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function resolveRetryPolicy(policy: RetryPolicy | null, defaults: WebhookSettings): ResolvedRetryPolicy {
  return {
    strategy: policy?.strategy ?? defaults.retryStrategy,
    intervalSeconds: policy?.intervalSeconds ?? defaults.retryIntervalSeconds,
    horizonHours: policy?.horizonHours ?? defaults.retryHorizonHours,
  };
}

/** Delay after the `attempts`-th failed attempt (1-based). `random` is injectable for tests. */
export function retryDelayMs(policy: ResolvedRetryPolicy, attempts: number, random: () => number = Math.random): number {
  if (policy.strategy === 'fixed') return policy.intervalSeconds * 1000;
  const base = Math.min(MINUTE * 2 ** Math.min(attempts - 1, 10), HOUR);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * When to try again after a failed attempt at `now`, or null when the delivery has failed for good:
 * the next attempt would fall past the horizon. A server's Retry-After is a floor, never shortened.
 */
export function nextAttemptAt(
  policy: ResolvedRetryPolicy,
  input: { now: number; attempts: number; horizonFrom: number; retryAfterMs?: number | undefined },
): number | null {
  const delay = Math.max(retryDelayMs(policy, input.attempts), input.retryAfterMs ?? 0);
  const next = input.now + delay;
  return next <= input.horizonFrom + policy.horizonHours * HOUR ? next : null;
}

/** Whether an endpoint failing since `failingSince` has now failed past its horizon. */
export function failingPastHorizon(policy: ResolvedRetryPolicy, failingSince: number, now: number): boolean {
  return now - failingSince >= policy.horizonHours * HOUR;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
