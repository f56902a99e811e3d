import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretBox } from '../secrets.js';
import { DueKnowledge } from './due-knowledge.js';
import { openedSecretsCache } from './opened-secrets.js';

test('a claim that saw less than its window tells that only the endpoints it left rows for have due rows', () => {
  let now = 1_000_000;
  const due = new DueKnowledge(2000, () => now);
  const full = new Set(['a']);
  const isFull = (id: string) => full.has(id);
  assert.equal(due.onlyFullEndpointsDue(isFull), false, 'nothing known yet');

  due.learn(true, ['a']);
  assert.equal(due.onlyFullEndpointsDue(isFull), false, 'a full window may have left anything unseen');

  due.learn(false, ['a']);
  assert.equal(due.onlyFullEndpointsDue(isFull), true);
  full.delete('a');
  assert.equal(due.onlyFullEndpointsDue(isFull), false, 'an endpoint that drained may have due rows behind the window');
  full.add('a');

  due.learn(true, ['b']);
  assert.equal(due.onlyFullEndpointsDue(isFull), true, 'a later full window keeps what was known');

  due.forget();
  assert.equal(due.onlyFullEndpointsDue(isFull), false, 'a wake-up forgets');

  due.learn(false, ['a']);
  now += 2000;
  assert.equal(due.onlyFullEndpointsDue(isFull), false, 'retries fall due by time: known for one poll interval');
});

test('opened secrets: each sealed value is opened once, a rotated one is opened anew', () => {
  const box = new SecretBox('due-knowledge-test-key');
  let opens = 0;
  const counting = { open: (sealed: string) => (opens++, box.open(sealed)) };
  const secrets = openedSecretsCache(counting);
  const first = box.seal('whsec_first');
  const second = box.seal('whsec_second');
  assert.equal(secrets.open(first), 'whsec_first');
  assert.equal(secrets.open(first), 'whsec_first');
  assert.equal(opens, 1);
  assert.equal(secrets.open(second), 'whsec_second');
  assert.equal(opens, 2);
  assert.throws(() => secrets.open('v1:broken'), /unrecognised sealed secret/);
});
