import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { failingPastHorizon, nextAttemptAt, parseRetryAfter, retryDelayMs, type ResolvedRetryPolicy } from './retry-policy.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const hourly: ResolvedRetryPolicy = { strategy: 'fixed', intervalSeconds: 3600, horizonHours: 72 };
const exponential: ResolvedRetryPolicy = { strategy: 'exponential', intervalSeconds: 3600, horizonHours: 72 };

describe('retry policy', () => {
  it('fixed: every interval until the horizon, then gives up', () => {
    assert.equal(nextAttemptAt(hourly, { now: 0, attempts: 1, horizonFrom: 0 }), HOUR);
    assert.equal(nextAttemptAt(hourly, { now: 71 * HOUR, attempts: 72, horizonFrom: 0 }), 72 * HOUR);
    assert.equal(nextAttemptAt(hourly, { now: 72 * HOUR, attempts: 73, horizonFrom: 0 }), null);
  });

  it('exponential: 1 minute doubling to 1 hour, jittered by at most 20 %', () => {
    assert.equal(retryDelayMs(exponential, 1, () => 0.5), MINUTE);
    assert.equal(retryDelayMs(exponential, 2, () => 0.5), 2 * MINUTE);
    assert.equal(retryDelayMs(exponential, 7, () => 0.5), HOUR);
    assert.equal(retryDelayMs(exponential, 50, () => 0.5), HOUR);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, r) => {
        const base = Math.min(MINUTE * 2 ** Math.min(attempts - 1, 10), HOUR);
        const delay = retryDelayMs(exponential, attempts, () => r);
        return delay >= base * 0.8 - 1 && delay <= base * 1.2 + 1;
      }),
    );
  });

  it('a Retry-After is a floor, never shortened, and may end the retries past the horizon', () => {
    assert.equal(nextAttemptAt(hourly, { now: 0, attempts: 1, horizonFrom: 0, retryAfterMs: 2 * HOUR }), 2 * HOUR);
    assert.equal(nextAttemptAt(hourly, { now: 0, attempts: 1, horizonFrom: 0, retryAfterMs: 10_000 }), HOUR);
    assert.equal(nextAttemptAt(hourly, { now: 0, attempts: 1, horizonFrom: 0, retryAfterMs: 73 * HOUR }), null);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('120', 0), 120_000);
    assert.equal(parseRetryAfter(new Date(90_000).toUTCString(), 30_000), 60_000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter(undefined, 0), undefined);
  });

  it('an endpoint is past its horizon after failing for the whole of it', () => {
    assert.equal(failingPastHorizon(hourly, 0, 72 * HOUR - 1), false);
    assert.equal(failingPastHorizon(hourly, 0, 72 * HOUR), true);
  });
});
