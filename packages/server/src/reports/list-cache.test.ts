import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ListResponseCache } from './list-cache.js';

describe('list response cache', () => {
  it('stays within its byte budget counting keys, however many distinct keys callers send', () => {
    const cache = new ListResponseCache(64 * 1024, 16 * 1024);
    for (let i = 0; i < 10_000; i++) cache.set(`${i}:${'k'.repeat(2000)}`, '{"reports":[]}');
    assert.ok(cache.heldBytes <= 64 * 1024, `holds ${cache.heldBytes} bytes`);
    assert.ok(cache.size < 40);
  });

  it('evicts the least recently used entry first', () => {
    const cache = new ListResponseCache(30, 30);
    cache.set('a', '1234567');
    cache.set('b', '1234567');
    cache.get('a');
    cache.set('c', '1234567');
    cache.set('d', '1234567');
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), '1234567');
    assert.equal(cache.get('d'), '1234567');
  });

  it('does not cache an entry larger than the per-entry limit', () => {
    const cache = new ListResponseCache(1000, 10);
    cache.set('k', 'x'.repeat(20));
    assert.equal(cache.get('k'), undefined);
    assert.equal(cache.heldBytes, 0);
  });
});
