import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLenientJson } from './lenient-json.js';

describe('parseLenientJson', () => {
  it('parses strict JSON as JSON.parse does', () => {
    assert.deepEqual(parseLenientJson('{"a": [1, "it\'s", null]}'), { a: [1, "it's", null] });
  });

  it('reads single-quoted strings as the Nexus IQ documentation prints them', () => {
    assert.deepEqual(parseLenientJson("{'a': 'b', 'n': 5, 'list': [{'x': true}]}"), { a: 'b', n: 5, list: [{ x: true }] });
    assert.deepEqual(parseLenientJson(`{'q': 'say "hi"', 'e': 'it\\'s', "d": "it's"}`), { q: 'say "hi"', e: "it's", d: "it's" });
    assert.deepEqual(parseLenientJson("{'comment': ''}"), { comment: '' });
  });

  it('relaxes nothing else', () => {
    for (const bad of ["{'a': 1,}", '{a: 1}', "{'a': 1 // c\n}", "{'a': 'unterminated}", '']) {
      assert.throws(() => parseLenientJson(bad), SyntaxError, bad);
    }
  });
});
