import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { passwordErrors } from './account-rules.ts';

describe('password change form', () => {
  it('accepts a long enough new password typed twice', () => {
    assert.deepEqual(passwordErrors('old password 1', 'correct horse battery', 'correct horse battery'), {});
  });

  it('names each problem', () => {
    assert.deepEqual(Object.keys(passwordErrors('', 'short', 'shorter')), ['current', 'next', 'repeat']);
    assert.match(passwordErrors('same password 1', 'same password 1', 'same password 1').next!, /different/);
    // Length counts characters, not UTF-16 units, as the server does.
    assert.ok(passwordErrors('x', '🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐', '🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐🔐').next);
  });
});
