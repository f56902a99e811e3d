import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shareExpiry } from './share-expiry.ts';

describe('share expiry', () => {
  const now = Date.parse('2026-01-10T12:00:00.000Z');
  it('is whole days from now', () => {
    assert.equal(shareExpiry('30', now), '2026-02-09T12:00:00.000Z');
    assert.equal(shareExpiry(' 1 ', now), '2026-01-11T12:00:00.000Z');
    assert.equal(shareExpiry('90', now), '2026-04-10T12:00:00.000Z');
  });
  it('names what is wrong with other input', () => {
    for (const input of ['', '0', '-3', '1.5', 'soon']) assert.match((shareExpiry(input, now) as { error: string }).error, /whole number/, input);
    assert.deepEqual(shareExpiry('91', now), { error: 'A link works for at most 90 days' });
  });
});
