import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedLoad } from './cached-load.js';

describe('cachedLoad', () => {
  it('shares one run among concurrent calls and reuses its value within the ttl', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = cachedLoad(async () => {
      loads++;
      await gate;
      return loads;
    }, 3_600_000, () => {});
    const concurrent = [read(), read(), read()];
    release();
    assert.deepEqual(await Promise.all(concurrent), [1, 1, 1]);
    assert.equal(await read(), 1);
    assert.equal(loads, 1);
  });

  it('reloads once the ttl has passed, and keeps the last value when a load fails', async () => {
    let n = 0;
    const errors: unknown[] = [];
    const read = cachedLoad(async () => {
      n++;
      if (n === 2) throw new Error('database down');
      return n;
    }, 0, (error) => errors.push(error));
    assert.equal(await read(), 1);
    assert.equal(await read(), 1, 'a failed load answers the last value');
    assert.equal(errors.length, 1);
    assert.equal(await read(), 3);
  });
});
