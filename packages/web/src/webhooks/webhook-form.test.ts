import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { draftFrom, inputFrom, NEW_WEBHOOK, splitList, validateDraft } from './webhook-form.ts';
import { listFrom, type Webhook, type WebhookInput } from './webhook-types.ts';
import { describePing } from './ping.ts';

/** What the server adds to an endpoint's input. */
const stored = {
  organizationId: 'o1', createdAt: '2025-01-01T00:00:00+00:00', updatedAt: '2025-01-01T00:00:00+00:00',
  disabledAt: null, disabledReason: null, failingSince: null, previousSecretExpiresAt: null,
};

describe('webhook editor', () => {
  it('splits comma lists, dropping blanks and repeats', () => {
    assert.deepEqual(splitList(' web , api,,web, '), ['web', 'api']);
  });

  it('sends no filters and the default retry policy for a plain endpoint', () => {
    const input = inputFrom({ ...NEW_WEBHOOK, url: ' https://example.com/hook ' });
    assert.deepEqual(input, {
      url: 'https://example.com/hook', description: '', enabled: true,
      events: ['report.created', 'report.updated', 'report.deleted'], filters: null, signatureScheme: 'arkiv', signatureAlgorithm: null, retryPolicy: null,
    });
  });

  it('clears the nexus-iq algorithm when the scheme changes', () => {
    const draft = draftFrom({ id: 'w', url: 'https://x.test', description: '', enabled: true, events: ['report.created'], filters: null, signatureScheme: 'nexus-iq', signatureAlgorithm: 'HmacSHA1', retryPolicy: null, ...stored });
    assert.equal(inputFrom({ ...draft, signatureScheme: 'standard-webhooks' }).signatureAlgorithm, null);
  });

  it('round-trips an endpoint through the editor', () => {
    const input = {
      url: 'https://example.com/x', description: 'SIEM', enabled: false, events: ['report.created'],
      filters: { projectName: ['web', 'api'] }, signatureScheme: 'nexus-iq', signatureAlgorithm: 'HmacSHA1',
      retryPolicy: { strategy: 'fixed', intervalSeconds: 1800, horizonHours: 24 },
    } satisfies WebhookInput;
    const webhook: Webhook = { id: 'w1', ...input, ...stored };
    assert.deepEqual(inputFrom(draftFrom(webhook)), input);
  });

  it('refuses non-http URLs, no events and a fractional horizon', () => {
    const errors = validateDraft({ ...NEW_WEBHOOK, url: 'ftp://example.com', events: [], retryStrategy: 'exponential', retryHorizonHours: '1.5' });
    assert.deepEqual(Object.keys(errors).sort(), ['events', 'retryHorizonHours', 'url']);
    assert.deepEqual(validateDraft({ ...NEW_WEBHOOK, url: 'http://127.0.0.1:9/x' }), {});
    assert.deepEqual(validateDraft({ ...NEW_WEBHOOK, url: 'http://127.0.0.1:9/x', retryStrategy: 'fixed', retryHorizonHours: '0' }), {});
    assert.ok(validateDraft({ ...NEW_WEBHOOK, url: 'https://x.test', retryStrategy: 'fixed', retryHorizonHours: ' ' }).retryHorizonHours);
  });

  it('reads lists wrapped or bare', () => {
    assert.deepEqual(listFrom([1], 'webhooks'), [1]);
    assert.deepEqual(listFrom({ webhooks: [2] }, 'webhooks'), [2]);
    assert.deepEqual(listFrom({ other: 3 }, 'webhooks'), []);
  });
});

describe('ping result', () => {
  const attempt = { attempt: 1, startedAt: '2026-01-01T00:00:00Z', durationMs: 12, requestHeaders: {}, responseHeaders: null, responseBody: null };
  it('says whether the endpoint took the ping and what it answered', () => {
    assert.equal(describePing({ status: 'succeeded', attemptLog: [{ ...attempt, responseStatus: 204, error: null }] }), 'Ping delivered: the endpoint answered HTTP 204 in 12 ms');
    assert.equal(describePing({ status: 'pending', attemptLog: [{ ...attempt, responseStatus: 500, error: null }] }), 'Ping failed: the endpoint answered HTTP 500 in 12 ms');
    assert.equal(describePing({ status: 'pending', attemptLog: [{ ...attempt, responseStatus: null, error: 'connect ECONNREFUSED' }] }), 'Ping failed: no answer (connect ECONNREFUSED) in 12 ms');
    assert.match(describePing({ status: 'pending', attemptLog: [] }), /waiting/);
  });
});
