import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findChromium, skipWithoutChromium } from './chromium.ts';

describe('finding Chromium for the e2e suite', () => {
  it('uses ARKIV_CHROMIUM when it is an executable', () => {
    assert.equal(findChromium({ ARKIV_CHROMIUM: process.execPath }), process.execPath);
    assert.equal(skipWithoutChromium({ ARKIV_CHROMIUM: process.execPath, CI: 'true' }), false);
  });

  it('skips with a message on a laptop without it', () => {
    const reason = skipWithoutChromium({ ARKIV_CHROMIUM: '/nonexistent/chromium' });
    assert.equal(typeof reason, 'string');
    assert.match(String(reason), /apt-get install -y chromium/);
  });

  it('fails in CI instead of skipping', () => {
    for (const CI of ['true', '1']) {
      assert.throws(() => skipWithoutChromium({ ARKIV_CHROMIUM: '/nonexistent/chromium', CI }), /CI must run them/);
    }
  });
});
