import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactLinkTokens } from './access-log.js';

describe('access log', () => {
  it('never logs the token of an invitation, password-reset or share link', () => {
    const token = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE';
    for (const url of [`/invite/${token}`, `/reset/${token}`, `/api/invitations/${token}`, `/api/invitations/${token}/accept`, `/api/auth/password-reset/${token}?x=1`, `/share/${token}`, `/api/shares/${token}`, `/api/shares/${token}/files`]) {
      const logged = redactLinkTokens(url);
      assert.ok(!logged.includes(token), logged);
      assert.match(logged, /…/);
    }
    assert.equal(redactLinkTokens('/api/invitations/abc/accept'), '/api/invitations/…/accept');
  });

  it('keeps every other path as it is', () => {
    for (const url of ['/api/orgs/0b9c/invitations/7d1e', '/api/auth/password-reset', '/security/report/list?org=1&minver=0', '/orgs/1/settings', '/api/orgs/0b9c/shares/7d1e']) {
      assert.equal(redactLinkTokens(url), url);
    }
  });
});
