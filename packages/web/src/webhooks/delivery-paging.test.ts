import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeDeliveries, redeliverRange, toLocalInput } from './delivery-paging.ts';
import type { Delivery } from './webhook-types.ts';

const delivery = (id: string, minute: number, status: Delivery['status'] = 'failed'): Delivery => ({
  id, webhookId: 'w', eventId: `e${id}`, event: 'report.created', status, attempts: 1, nextAttemptAt: null, lastStatus: 500, lastError: null,
  createdAt: new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString(), completedAt: null,
});

describe('delivery log paging', () => {
  it('keeps rows that slid off the first page when newer ones arrived, without duplicates', () => {
    // Shown: page one (d9..d5) and page two (d4..d0), loaded before d10 and d11 arrived.
    const shown = Array.from({ length: 10 }, (_, i) => delivery(`d${9 - i}`, 9 - i));
    const freshFirstPage = [delivery('d11', 11), delivery('d10', 10), ...shown.slice(0, 3)];
    const merged = mergeDeliveries(freshFirstPage, shown);
    assert.deepEqual(merged.map((d) => d.id), ['d11', 'd10', 'd9', 'd8', 'd7', 'd6', 'd5', 'd4', 'd3', 'd2', 'd1', 'd0']);
  });
  it('takes the fresh row when one changed status', () => {
    const merged = mergeDeliveries([delivery('a', 2, 'succeeded')], [delivery('a', 2, 'failed'), delivery('b', 1)]);
    assert.deepEqual(merged.map((d) => `${d.id}:${d.status}`), ['a:succeeded', 'b:failed']);
  });
  it('orders equal times by id, descending, as the server does', () => {
    assert.deepEqual(mergeDeliveries([delivery('x1', 5)], [delivery('x2', 5), delivery('x0', 5)]).map((d) => d.id), ['x2', 'x1', 'x0']);
  });
});

describe('bulk redeliver range', () => {
  it('turns local datetime-local values into an ISO range that covers the whole end minute', () => {
    const since = new Date(2026, 10, 23, 9, 0);
    const until = new Date(2026, 10, 23, 17, 30);
    const range = redeliverRange(toLocalInput(since), toLocalInput(until));
    assert.deepEqual(range, { since: since.toISOString(), until: new Date(until.getTime() + 59_999).toISOString() });
  });
  it('refuses a missing or reversed range', () => {
    assert.deepEqual(redeliverRange('', '2026-11-23T10:00'), { error: 'Enter the start of the time range' });
    assert.deepEqual(redeliverRange('2026-11-23T10:00', 'nonsense'), { error: 'Enter the end of the time range' });
    assert.deepEqual(redeliverRange('2026-11-23T10:01', '2026-11-23T10:00'), { error: 'The start is after the end' });
    assert.ok('since' in redeliverRange('2026-11-23T10:00', '2026-11-23T10:00'), 'one minute is a valid range');
  });
  it('formats local time with zero padding', () => {
    assert.equal(toLocalInput(new Date(2026, 0, 2, 3, 4, 59)), '2026-01-02T03:04');
  });
});
