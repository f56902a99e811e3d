import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { generateSecret, signWebhook, verifyWebhook, type HmacAlgorithm } from './index.js';

const SECRET = generateSecret('nexus-iq');
const DELIVERY = '7f4a6dde-5c68-4999-bcc0-a62f3fb8ae48';
const BODY = Buffer.from(JSON.stringify({ applicationEvaluation: { policyEvaluationId: 'debceb1d', stage: 'build', outcome: 'fail' } }));

const sign = (overrides: Partial<Parameters<typeof signWebhook>[0]> = {}) =>
  signWebhook({ scheme: 'nexus-iq', secrets: [SECRET], body: BODY, eventType: 'iq:policyManagement', deliveryId: DELIVERY, ...overrides });

const verify = (headers: Record<string, string> | Headers, overrides: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
  verifyWebhook({ scheme: 'nexus-iq', secret: SECRET, body: BODY, headers, ...overrides });

/** An independent implementation: `openssl dgst -<digest> -hmac <secret>` over the body on stdin. */
function opensslHmac(digest: 'sha1' | 'sha256', secret: string, body: Buffer): string {
  const result = spawnSync('openssl', ['dgst', `-${digest}`, '-hmac', secret, '-r'], { input: body });
  assert.equal(result.status, 0, result.stderr.toString());
  const hex = /^([0-9a-f]+) /.exec(result.stdout.toString())?.[1];
  assert.ok(hex, `unexpected openssl output: ${result.stdout.toString()}`);
  return hex;
}

describe('nexus-iq scheme', () => {
  it('sends the seed 004 headers, HmacSHA1 by default, equal to openssl', () => {
    assert.deepEqual(sign(), {
      'X-Nexus-Webhook-Id': 'iq:policyManagement',
      'X-Nexus-Webhook-Delivery': DELIVERY,
      'X-Nexus-Webhook-Signature': opensslHmac('sha1', SECRET, BODY),
      'X-Nexus-Webhook-Signature-Algorithm': 'HmacSHA1',
    });
    assert.match(sign()['X-Nexus-Webhook-Signature']!, /^[0-9a-f]{40}$/);
  });

  it('signs with HmacSHA256 when chosen, equal to openssl', () => {
    const headers = sign({ algorithm: 'HmacSHA256' });
    assert.equal(headers['X-Nexus-Webhook-Signature'], opensslHmac('sha256', SECRET, BODY));
    assert.equal(headers['X-Nexus-Webhook-Signature-Algorithm'], 'HmacSHA256');
    assert.equal(verify(headers).ok, true);
  });

  it('agrees with openssl on secrets with spaces and punctuation, and on non-UTF-8 bodies', () => {
    const secret = 'my shared secret: -hmac $HOME "quoted"';
    const body = Buffer.from([0x00, 0xff, 0x7b, 0x0a, 0xc3, 0x28]);
    assert.equal(sign({ secrets: [secret], body })['X-Nexus-Webhook-Signature'], opensslHmac('sha1', secret, body));
  });

  it('round-trips, reporting no timestamp (the scheme has none)', () => {
    assert.deepEqual(verify(sign()), { ok: true, eventType: 'iq:policyManagement', deliveryId: DELIVERY, timestamp: null });
  });

  it('ignores the clock: an old delivery still verifies, so replay protection is by delivery id only', () => {
    assert.equal(verify(sign(), { now: 0, toleranceSeconds: 0 }).ok, true);
  });

  it('verifies a request shaped like seed 004 (no algorithm header: HmacSHA1)', () => {
    const headers = {
      'Content-Type': 'application/json; charset=UTF-8',
      'X-Nexus-Webhook-Signature': opensslHmac('sha1', SECRET, BODY),
      'X-Nexus-Webhook-ID': 'iq:policyManagement',
      'X-Nexus-Webhook-Delivery': DELIVERY,
    };
    assert.equal(verify(headers).ok, true);
  });

  it('refuses a tampered body and a wrong secret', () => {
    assert.deepEqual(verify(sign(), { body: Buffer.concat([BODY, Buffer.from('\n')]) }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verify(sign(), { secret: generateSecret('nexus-iq') }), { ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature computed with another algorithm than the header names', () => {
    const sha256 = sign({ algorithm: 'HmacSHA256' });
    assert.deepEqual(verify({ ...sha256, 'X-Nexus-Webhook-Signature-Algorithm': 'HmacSHA1' }), { ok: false, reason: 'bad_signature' });
  });

  for (const name of ['X-Nexus-Webhook-Id', 'X-Nexus-Webhook-Delivery', 'X-Nexus-Webhook-Signature']) {
    it(`refuses a delivery without ${name}`, () => {
      const { [name]: _dropped, ...rest } = sign();
      assert.deepEqual(verify(rest), { ok: false, reason: 'missing_header' });
    });
  }

  it('refuses algorithms it does not know', () => {
    for (const algorithm of ['HmacMD5', 'HmacSHA512', 'none']) {
      assert.deepEqual(verify({ ...sign(), 'X-Nexus-Webhook-Signature-Algorithm': algorithm }), { ok: false, reason: 'unsupported_algorithm' });
    }
    assert.throws(() => sign({ algorithm: 'HmacMD5' as HmacAlgorithm }), TypeError);
  });

  it('lets a receiver pin the algorithm, refusing a header that names another', () => {
    assert.equal(verify(sign({ algorithm: 'HmacSHA256' }), { algorithm: 'HmacSHA256' }).ok, true);
    assert.deepEqual(verify(sign(), { algorithm: 'HmacSHA256' }), { ok: false, reason: 'unsupported_algorithm' });
    const { 'X-Nexus-Webhook-Signature-Algorithm': _dropped, ...noHeader } = sign({ algorithm: 'HmacSHA256' });
    assert.equal(verify(noHeader, { algorithm: 'HmacSHA256' }).ok, true);
  });

  it('signs with the current secret only during rotation (Nexus IQ receivers read one signature)', () => {
    const previous = generateSecret('nexus-iq');
    const headers = sign({ secrets: [SECRET, previous] });
    assert.equal(headers['X-Nexus-Webhook-Signature'], opensslHmac('sha1', SECRET, BODY));
    assert.equal(verify(headers).ok, true);
    assert.deepEqual(verify(headers, { secret: previous }), { ok: false, reason: 'bad_signature' });
  });

  it('looks headers up case-insensitively, in plain objects and in fetch Headers', () => {
    const headers = sign();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const form of [lower, new Headers(headers)]) assert.equal(verify(form).ok, true);
  });
});
