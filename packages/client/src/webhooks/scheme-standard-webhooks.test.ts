import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signWebhook, verifyWebhook } from './index.js';

const SECRET = generateSecret('standard-webhooks');
const BODY = '{"type":"report.created","timestamp":"2025-06-15T12:00:00Z","data":{"projectName":"shop"}}';
const nowSeconds = () => Math.floor(Date.now() / 1000);

const sign = (overrides: Partial<Parameters<typeof signWebhook>[0]> = {}) =>
  signWebhook({ scheme: 'standard-webhooks', secrets: [SECRET], body: BODY, eventType: 'report.created', deliveryId: randomUUID(), ...overrides });

const verify = (headers: Record<string, string> | Headers, overrides: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
  verifyWebhook({ scheme: 'standard-webhooks', secret: SECRET, body: BODY, headers, ...overrides });

describe('standard-webhooks scheme', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    assert.match(SECRET, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(SECRET.slice('whsec_'.length), 'base64').length, 32);
  });

  it('sends exactly the three spec headers', () => {
    const headers = sign({ deliveryId: 'msg_1', timestamp: 1674087231 });
    assert.deepEqual(Object.keys(headers).sort(), ['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    assert.equal(headers['webhook-id'], 'msg_1');
    assert.equal(headers['webhook-timestamp'], '1674087231');
    assert.match(headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('matches the published known-answer vector', () => {
    const headers = signWebhook({
      scheme: 'standard-webhooks',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      body: '{"test": 2432232314}',
      eventType: 'test',
      deliveryId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
    });
    assert.equal(headers['webhook-signature'], 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('matches a reference HMAC of "{id}.{timestamp}.{body}" keyed with the decoded secret', () => {
    const headers = sign({ deliveryId: 'msg_abc', timestamp: 1_700_000_000 });
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`msg_abc.1700000000.${BODY}`).digest('base64');
    assert.equal(headers['webhook-signature'], `v1,${expected}`);
  });

  it('is verified by the standardwebhooks package', () => {
    const headers = sign();
    assert.deepEqual(new Webhook(SECRET).verify(BODY, headers), JSON.parse(BODY));
    assert.deepEqual(new Webhook(SECRET).verify(Buffer.from(BODY), headers), JSON.parse(BODY));
  });

  it('verifies what the standardwebhooks package signs', () => {
    const id = `msg_${randomUUID()}`;
    const timestamp = nowSeconds();
    const signature = new Webhook(SECRET).sign(id, new Date(timestamp * 1000), BODY);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    assert.deepEqual(verify(headers), { ok: true, eventType: null, deliveryId: id, timestamp });
  });

  it('and the package refuses what it should: tampered body, wrong secret', () => {
    const headers = sign();
    assert.throws(() => new Webhook(SECRET).verify(`${BODY} `, headers), /No matching signature/);
    assert.throws(() => new Webhook(generateSecret('standard-webhooks')).verify(BODY, headers), /No matching signature/);
  });

  it('refuses a tampered body, id or timestamp: all three are signed', () => {
    const headers = sign({ timestamp: nowSeconds() });
    assert.deepEqual(verify(headers, { body: BODY.replace('shop', 'shoq') }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verify({ ...headers, 'webhook-id': randomUUID() }), { ok: false, reason: 'bad_signature' });
    const moved = String(Number(headers['webhook-timestamp']) - 1);
    assert.deepEqual(verify({ ...headers, 'webhook-timestamp': moved }), { ok: false, reason: 'bad_signature' });
  });

  it('refuses a wrong secret', () => {
    assert.deepEqual(verify(sign(), { secret: generateSecret('standard-webhooks') }), { ok: false, reason: 'bad_signature' });
  });

  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    it(`refuses a delivery without ${name}`, () => {
      const { [name]: _dropped, ...rest } = sign();
      assert.deepEqual(verify(rest), { ok: false, reason: 'missing_header' });
    });
  }

  it('refuses stale and future timestamps, with the spec-recommended 5 minute default', () => {
    const now = 1_750_000_000;
    const at = (timestamp: number) => verify(sign({ timestamp }), { now });
    assert.equal(at(now - 300).ok, true);
    assert.equal(at(now + 300).ok, true);
    assert.deepEqual(at(now - 301), { ok: false, reason: 'timestamp_out_of_range' });
    assert.deepEqual(at(now + 301), { ok: false, reason: 'timestamp_out_of_range' });
  });

  it('signs once per secret during rotation, space-separated; either secret verifies, in ours and in the package', () => {
    const previous = generateSecret('standard-webhooks');
    const headers = sign({ secrets: [SECRET, previous] });
    assert.match(headers['webhook-signature']!, /^v1,\S+ v1,\S+$/);
    for (const secret of [SECRET, previous]) {
      assert.equal(verify(headers, { secret }).ok, true);
      assert.deepEqual(new Webhook(secret).verify(BODY, headers), JSON.parse(BODY));
    }
    assert.deepEqual(verify(headers, { secret: generateSecret('standard-webhooks') }), { ok: false, reason: 'bad_signature' });
  });

  it('skips asymmetric v1a entries; with only those it reports the algorithm as unsupported', () => {
    const headers = sign();
    const v1a = 'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==';
    assert.equal(verify({ ...headers, 'webhook-signature': `${v1a} ${headers['webhook-signature']}` }).ok, true);
    assert.deepEqual(verify({ ...headers, 'webhook-signature': v1a }), { ok: false, reason: 'unsupported_algorithm' });
  });

  it('refuses signatures that are not canonical base64, though they may decode to the right bytes', () => {
    // The known-answer vector's signature contains both "+" and "/", so the URL-safe alphabet differs.
    const vector = {
      scheme: 'standard-webhooks',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      body: '{"test": 2432232314}',
      now: 1614265330,
    } as const;
    const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330' };
    const encoded = 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    assert.equal(verifyWebhook({ ...vector, headers: { ...headers, 'webhook-signature': `v1,${encoded}` } }).ok, true);
    const variants = [encoded.slice(0, -1), encoded.replace('+', '-').replace('/', '_'), `${encoded}!`, `${encoded.slice(0, 8)}\t${encoded.slice(8)}`, ''];
    for (const variant of variants) {
      const result = verifyWebhook({ ...vector, headers: { ...headers, 'webhook-signature': `v1,${variant}` } });
      assert.deepEqual(result, { ok: false, reason: 'bad_signature' }, variant);
    }
    assert.deepEqual(verifyWebhook({ ...vector, headers: { ...headers, 'webhook-signature': 'garbage' } }), { ok: false, reason: 'bad_signature' });
  });

  it('accepts the secret with or without the whsec_ prefix, throws on one that is not base64', () => {
    const headers = sign();
    assert.equal(verify(headers, { secret: SECRET.slice('whsec_'.length) }).ok, true);
    assert.throws(() => verify(headers, { secret: 'whsec_not base64!' }), TypeError);
    assert.throws(() => verify(headers, { secret: 'whsec_' }), TypeError);
  });

  it('refuses to sign a delivery id containing "." (it would make the signed content ambiguous)', () => {
    assert.throws(() => sign({ deliveryId: 'msg.1' }), TypeError);
  });

  it('looks headers up case-insensitively, in plain objects and in fetch Headers', () => {
    const headers = sign();
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    const title = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.replace(/\b\w/g, (c) => c.toUpperCase()), v]));
    for (const form of [upper, title, new Headers(headers)]) assert.equal(verify(form).ok, true);
  });
});
