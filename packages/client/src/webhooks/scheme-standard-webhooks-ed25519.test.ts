import assert from 'node:assert/strict';
import { createPublicKey, randomUUID, verify as nodeVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateEd25519KeyPair, generateSecret, publicKeyOf, signWebhook, verifyWebhook } from './index.js';

const BODY = '{"type":"report.created","timestamp":"2025-06-15T12:00:00Z","data":{"projectName":"shop"}}';
const TIMESTAMP = 1674087231;

const sign = (secrets: string[], deliveryId: string = randomUUID()) =>
  signWebhook({ scheme: 'standard-webhooks', algorithm: 'Ed25519', secrets, body: BODY, eventType: 'report.created', deliveryId, timestamp: TIMESTAMP });
const verify = (publicKey: string, headers: Record<string, string>, body = BODY) =>
  verifyWebhook({ scheme: 'standard-webhooks', secret: publicKey, body, headers, now: TIMESTAMP });

describe('standard-webhooks scheme, Ed25519 (v1a)', () => {
  it('makes whsk_/whpk_ keys of 32 raw bytes whose public half node:crypto reads as the same key', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    assert.match(secretKey, /^whsk_[A-Za-z0-9+/]{43}=$/);
    assert.match(publicKey, /^whpk_[A-Za-z0-9+/]{43}=$/);
    assert.equal(publicKeyOf(secretKey), publicKey);
    assert.match(generateSecret('standard-webhooks', 'Ed25519'), /^whsk_/);
    const x = Buffer.from(publicKey.slice(5), 'base64').toString('base64url');
    assert.equal(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }).asymmetricKeyType, 'ed25519');
  });

  it('signs "{id}.{timestamp}.{body}" as v1a; node:crypto and verifyWebhook accept it with the public key', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const headers = sign([secretKey], 'msg_1');
    assert.match(headers['webhook-signature']!, /^v1a,[A-Za-z0-9+/]{86}==$/);
    const x = Buffer.from(publicKey.slice(5), 'base64').toString('base64url');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    assert.ok(nodeVerify(null, Buffer.from(`msg_1.${TIMESTAMP}.${BODY}`), key, Buffer.from(headers['webhook-signature']!.slice(4), 'base64')));
    assert.deepEqual(verify(publicKey, headers), { ok: true, eventType: null, deliveryId: 'msg_1', timestamp: TIMESTAMP });
  });

  it('refuses a changed body, another key, a stale timestamp, and a header with no v1a entry', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const headers = sign([secretKey]);
    assert.deepEqual(verify(publicKey, headers, BODY.replace('shop', 'shoq')), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verify(generateEd25519KeyPair().publicKey, headers), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyWebhook({ scheme: 'standard-webhooks', secret: publicKey, body: BODY, headers, now: TIMESTAMP + 301 }), { ok: false, reason: 'timestamp_out_of_range' });
    assert.deepEqual(verify(publicKey, { ...headers, 'webhook-signature': 'v1,AAAA' }), { ok: false, reason: 'unsupported_algorithm' });
    assert.deepEqual(verify(publicKey, { ...headers, 'webhook-signature': 'v1a,not-base64!' }), { ok: false, reason: 'bad_signature' });
  });

  it('sends one v1a per key during rotation; either public key verifies', () => {
    const current = generateEd25519KeyPair();
    const previous = generateEd25519KeyPair();
    const headers = sign([current.secretKey, previous.secretKey]);
    assert.equal(headers['webhook-signature']!.split(' ').length, 2);
    assert.equal(verify(current.publicKey, headers).ok, true);
    assert.equal(verify(previous.publicKey, headers).ok, true);
  });

  it('throws for the caller\'s mistakes: a malformed key, Ed25519 under another scheme', () => {
    assert.throws(() => verify('whpk_short', sign([generateEd25519KeyPair().secretKey])), /whpk_/);
    assert.throws(() => sign(['whsec_AAAA']), /whsk_/);
    assert.throws(() => signWebhook({ scheme: 'arkiv', algorithm: 'Ed25519', secrets: [generateEd25519KeyPair().secretKey], body: BODY, eventType: 'x', deliveryId: 'd' }), /standard-webhooks/);
  });
});
