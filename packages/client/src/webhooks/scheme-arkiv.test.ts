import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateSecret, signWebhook, verifyWebhook } from './index.js';

const NOW = 1_750_000_000;
const SECRET = generateSecret('arkiv');
const BODY = Buffer.from('{"type":"report.created","data":{"projectName":"shop","projectVersion":"1.2.3"}}');
const DELIVERY = '7f4a6dde-5c68-4999-bcc0-a62f3fb8ae48';

const sign = (overrides: Partial<Parameters<typeof signWebhook>[0]> = {}) =>
  signWebhook({ secrets: [SECRET], body: BODY, eventType: 'report.created', deliveryId: DELIVERY, timestamp: NOW, ...overrides });

const verify = (headers: Record<string, string> | Headers, overrides: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
  verifyWebhook({ secret: SECRET, body: BODY, headers, now: NOW, ...overrides });

/** Reference computation written independently of the module: hex HMAC-SHA256 of the raw bytes. */
const referenceSignature = (secret: string, body: Buffer) => createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex');

describe('arkiv scheme', () => {
  it('signs with the documented headers, matching a reference HMAC of the raw body', () => {
    assert.deepEqual(sign(), {
      'X-Arkiv-Webhook-Id': 'report.created',
      'X-Arkiv-Webhook-Delivery': DELIVERY,
      'X-Arkiv-Webhook-Timestamp': String(NOW),
      'X-Arkiv-Webhook-Signature': referenceSignature(SECRET, BODY),
      'X-Arkiv-Webhook-Signature-Algorithm': 'HmacSHA256',
    });
    assert.match(sign()['X-Arkiv-Webhook-Signature']!, /^[0-9a-f]{64}$/);
  });

  it('is the default scheme for signing and verifying', () => {
    assert.deepEqual(sign({ scheme: 'arkiv' }), sign());
    assert.deepEqual(verify(sign()), { ok: true, eventType: 'report.created', deliveryId: DELIVERY, timestamp: NOW });
  });

  it('keys with the secret string exactly as shown, including non-ASCII characters', () => {
    const secret = 'pässwörd ✓ with spaces';
    const headers = sign({ secrets: [secret] });
    assert.equal(headers['X-Arkiv-Webhook-Signature'], referenceSignature(secret, BODY));
    assert.equal(verify(headers, { secret }).ok, true);
  });

  it('signs the exact bytes, including bytes that are not UTF-8 and views into larger buffers', () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    const headers = sign({ body: raw });
    assert.equal(headers['X-Arkiv-Webhook-Signature'], referenceSignature(SECRET, raw));
    const backing = Buffer.concat([Buffer.from('prefix'), raw, Buffer.from('suffix')]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 6, raw.length);
    assert.equal(verify(headers, { body: view }).ok, true);
  });

  it('treats a string body as its UTF-8 bytes', () => {
    const text = '{"name":"Müller"}';
    assert.equal(verify(sign({ body: text }), { body: Buffer.from(text, 'utf8') }).ok, true);
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(BODY.toString().replace('1.2.3', '1.2.4'));
    assert.deepEqual(verify(sign(), { body: tampered }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verify(sign(), { body: Buffer.concat([BODY, Buffer.from(' ')]) }), { ok: false, reason: 'bad_signature' });
  });

  it('refuses a wrong secret', () => {
    assert.deepEqual(verify(sign(), { secret: generateSecret() }), { ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature that is not hex, or is truncated', () => {
    const headers = sign();
    const good = headers['X-Arkiv-Webhook-Signature']!;
    for (const signature of [`${good.slice(0, -1)}g`, good.slice(0, 62), `${good}00`, 'zz', ',', ' ']) {
      assert.deepEqual(verify({ ...headers, 'X-Arkiv-Webhook-Signature': signature }), { ok: false, reason: signature.trim() ? 'bad_signature' : 'missing_header' }, signature);
    }
  });

  it('accepts uppercase hex (hex case carries no meaning)', () => {
    const headers = sign();
    const upper = { ...headers, 'X-Arkiv-Webhook-Signature': headers['X-Arkiv-Webhook-Signature']!.toUpperCase() };
    assert.equal(verify(upper).ok, true);
  });

  for (const name of ['X-Arkiv-Webhook-Id', 'X-Arkiv-Webhook-Delivery', 'X-Arkiv-Webhook-Timestamp', 'X-Arkiv-Webhook-Signature']) {
    it(`refuses a delivery without ${name}, or with it empty`, () => {
      const { [name]: _dropped, ...rest } = sign();
      assert.deepEqual(verify(rest), { ok: false, reason: 'missing_header' });
      assert.deepEqual(verify({ ...sign(), [name]: '' }), { ok: false, reason: 'missing_header' });
    });
  }

  it('accepts a missing algorithm header as HmacSHA256, refuses any other algorithm', () => {
    const { 'X-Arkiv-Webhook-Signature-Algorithm': _dropped, ...withoutAlgorithm } = sign();
    assert.equal(verify(withoutAlgorithm).ok, true);
    for (const algorithm of ['HmacSHA1', 'HmacMD5', 'none']) {
      assert.deepEqual(verify({ ...sign(), 'X-Arkiv-Webhook-Signature-Algorithm': algorithm }), { ok: false, reason: 'unsupported_algorithm' });
    }
    assert.throws(() => sign({ algorithm: 'HmacSHA1' }), TypeError);
  });

  it('accepts timestamps up to the tolerance either side, refuses stale and future ones', () => {
    const at = (timestamp: number, toleranceSeconds?: number) => verify(sign({ timestamp }), { toleranceSeconds });
    const outOfRange = { ok: false, reason: 'timestamp_out_of_range' };
    assert.equal(at(NOW - 300).ok, true);
    assert.equal(at(NOW + 300).ok, true);
    assert.deepEqual(at(NOW - 301), outOfRange);
    assert.deepEqual(at(NOW + 301), outOfRange);
    assert.deepEqual(at(NOW - 3600), outOfRange);
    assert.equal(at(NOW - 3600, 3600).ok, true);
    assert.deepEqual(at(NOW - 1, 0), outOfRange);
  });

  it('uses the clock when no time is given', () => {
    const headers = sign({ timestamp: undefined });
    assert.ok(Math.abs(Number(headers['X-Arkiv-Webhook-Timestamp']) - Date.now() / 1000) < 5);
    assert.equal(verifyWebhook({ secret: SECRET, body: BODY, headers }).ok, true);
  });

  it('refuses a timestamp that is not whole unix seconds', () => {
    for (const timestamp of ['', 'soon', '1750000000.5', '-1', '1e9', '0x68']) {
      const result = verify({ ...sign(), 'X-Arkiv-Webhook-Timestamp': timestamp });
      assert.deepEqual(result, { ok: false, reason: timestamp ? 'malformed_header' : 'missing_header' }, timestamp);
    }
  });

  it('sends one signature per secret during rotation; either secret verifies, a third does not', () => {
    const previous = generateSecret();
    const headers = sign({ secrets: [SECRET, previous] });
    assert.equal(headers['X-Arkiv-Webhook-Signature'], `${referenceSignature(SECRET, BODY)},${referenceSignature(previous, BODY)}`);
    assert.equal(verify(headers, { secret: SECRET }).ok, true);
    assert.equal(verify(headers, { secret: previous }).ok, true);
    assert.deepEqual(verify(headers, { secret: generateSecret() }), { ok: false, reason: 'bad_signature' });
  });

  it('tolerates spaces around list entries (a proxy may fold repeated headers with ", ")', () => {
    const previous = generateSecret();
    const [current, old] = [referenceSignature(SECRET, BODY), referenceSignature(previous, BODY)];
    assert.equal(verify({ ...sign(), 'X-Arkiv-Webhook-Signature': `${old}, ${current}` }).ok, true);
  });

  it('looks headers up case-insensitively, in plain objects and in fetch Headers', () => {
    const headers = sign();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    for (const form of [lower, upper, new Headers(headers)]) assert.equal(verify(form).ok, true);
  });
});
