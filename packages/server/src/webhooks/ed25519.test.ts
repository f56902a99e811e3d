import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '@arkiv/client/webhooks';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { api, manualClock, startReceiver, uploadReport, type Received, type Receiver } from './test-support.js';

const PUBLIC_KEY = /^whpk_[A-Za-z0-9+/]{43}=$/;

/** A plain Ed25519 check with node:crypto alone, as a receiver without our client would write it. */
function nodeVerify(publicKey: string, request: Received, signature: string): boolean {
  const x = Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url');
  const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  const signed = Buffer.concat([Buffer.from(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.`), request.body]);
  return crypto.verify(null, signed, key, Buffer.from(signature, 'base64'));
}

const signaturesOf = (request: Received) => String(request.headers['webhook-signature']).split(' ');
const ourVerify = (publicKey: string, request: Received, overrides: { body?: Buffer; signature?: string } = {}) =>
  verifyWebhook({
    scheme: 'standard-webhooks',
    secret: publicKey,
    body: overrides.body ?? request.body,
    headers: { ...request.headers, ...(overrides.signature ? { 'webhook-signature': overrides.signature } : {}) },
    now: Number(request.headers['webhook-timestamp']),
  });

for (const dialect of testDialects) {
  describe(`Ed25519 webhook signatures, Standard Webhooks v1a (${dialect})`, () => {
    const clock = manualClock(Date.now());
    let server: TestServer;
    let receiver: Receiver;
    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: '50' }, clock.install);
      receiver = await startReceiver();
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    const nextRequest = async (projectName: string) => {
      const count = receiver.received.length;
      await uploadReport(server, { projectName });
      return (await receiver.waitFor((r) => r.length > count))[count]!;
    };
    const base = (id: string) => `/api/orgs/${server.orgId}/webhooks/${id}`;

    it('shows the public key (whpk_) on create and GET …/secret, never the private key', async () => {
      const created = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, { url: receiver.url, signatureScheme: 'standard-webhooks', signatureAlgorithm: 'Ed25519' });
      assert.equal(created.status, 201);
      assert.match(created.body.publicKey, PUBLIC_KEY);
      assert.equal(created.body.secret, undefined);
      assert.equal(created.body.signatureAlgorithm, 'Ed25519');
      const revealed = await api(server, 'GET', `${base(created.body.id)}/secret`);
      assert.equal(revealed.body.publicKey, created.body.publicKey);
      assert.equal(revealed.body.secret, undefined);
      const row = await server.ctx.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
      const privateKey = server.ctx.secrets.open(row.secret_sealed);
      assert.match(privateKey, /^whsk_/);
      for (const shown of [JSON.stringify(created.body), JSON.stringify(revealed.body), JSON.stringify(row)]) {
        assert.ok(!shown.includes(privateKey.slice(5)), 'the private key is neither shown nor stored in clear');
      }
      await api(server, 'DELETE', base(created.body.id));
    });

    it('signs deliveries with v1a that verifyWebhook and plain node:crypto accept with the public key alone; forgeries are refused', async () => {
      const created = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, { url: receiver.url, signatureScheme: 'standard-webhooks', signatureAlgorithm: 'Ed25519' });
      const publicKey: string = created.body.publicKey;
      const request = await nextRequest('Ed25519 product');
      const [signature, ...others] = signaturesOf(request);
      assert.equal(others.length, 0);
      assert.match(signature!, /^v1a,[A-Za-z0-9+/]{86}==$/);
      assert.deepEqual(ourVerify(publicKey, request), { ok: true, eventType: null, deliveryId: request.headers['webhook-id'], timestamp: Number(request.headers['webhook-timestamp']) });
      assert.equal(nodeVerify(publicKey, request, signature!.slice(4)), true);

      // A changed body, a signature from another key, and an HMAC keyed with the (public) key are all refused.
      const changed = Buffer.from(request.body);
      changed[changed.length - 2] = changed[changed.length - 2]! ^ 0x01;
      assert.deepEqual(ourVerify(publicKey, request, { body: changed }), { ok: false, reason: 'bad_signature' });
      assert.equal(nodeVerify(publicKey, { ...request, body: changed }, signature!.slice(4)), false);
      const forger = crypto.generateKeyPairSync('ed25519').privateKey;
      const forged = crypto.sign(null, Buffer.concat([Buffer.from(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.`), request.body]), forger).toString('base64');
      assert.deepEqual(ourVerify(publicKey, request, { signature: `v1a,${forged}` }), { ok: false, reason: 'bad_signature' });
      assert.equal(nodeVerify(publicKey, request, forged), false);
      const hmacWithPublicKey = crypto.createHmac('sha256', Buffer.from(publicKey.slice(5), 'base64')).update(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.`).update(request.body).digest('base64');
      assert.deepEqual(ourVerify(publicKey, request, { signature: `v1,${hmacWithPublicKey}` }), { ok: false, reason: 'unsupported_algorithm' });
      await api(server, 'DELETE', base(created.body.id));
    });

    it('sends both v1a signatures, space-separated, while a rotated-out key is in its grace period', async () => {
      const created = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, { url: receiver.url, signatureScheme: 'standard-webhooks', signatureAlgorithm: 'Ed25519' });
      const rotated = await api(server, 'POST', `${base(created.body.id)}/secret/rotate`, { graceHours: 1 });
      assert.equal(rotated.status, 200);
      assert.equal(rotated.body.previousPublicKey, created.body.publicKey);
      assert.match(rotated.body.publicKey, PUBLIC_KEY);
      assert.notEqual(rotated.body.publicKey, created.body.publicKey);
      assert.equal(rotated.body.secret, undefined);
      assert.equal(rotated.body.previousSecret, undefined);

      const request = await nextRequest('Ed25519 rotation');
      const [current, previous, ...rest] = signaturesOf(request);
      assert.equal(rest.length, 0);
      assert.equal(nodeVerify(rotated.body.publicKey, request, current!.slice(4)), true, 'the new key signs first');
      assert.equal(nodeVerify(created.body.publicKey, request, previous!.slice(4)), true, 'the old key still signs');
      for (const key of [rotated.body.publicKey, created.body.publicKey]) assert.equal(ourVerify(key, request).ok, true);
      await api(server, 'DELETE', base(created.body.id));
    });

    it('replaces the secret when an endpoint switches between HMAC and Ed25519, and refuses Ed25519 outside standard-webhooks', async () => {
      const created = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, { url: receiver.url, signatureScheme: 'standard-webhooks' });
      assert.match(created.body.secret, /^whsec_/);
      const switched = await api(server, 'PATCH', base(created.body.id), { signatureAlgorithm: 'Ed25519' });
      assert.equal(switched.status, 200, JSON.stringify(switched.body));
      const revealed = await api(server, 'GET', `${base(created.body.id)}/secret`);
      assert.match(revealed.body.publicKey, PUBLIC_KEY);
      assert.equal(revealed.body.secret, undefined);
      const request = await nextRequest('Switched to Ed25519');
      assert.equal(ourVerify(revealed.body.publicKey, request).ok, true);
      const back = await api(server, 'PATCH', base(created.body.id), { signatureAlgorithm: 'HmacSHA256' });
      assert.equal(back.status, 200);
      assert.match((await api(server, 'GET', `${base(created.body.id)}/secret`)).body.secret, /^whsec_/);
      await api(server, 'DELETE', base(created.body.id));

      for (const body of [{ signatureScheme: 'arkiv', signatureAlgorithm: 'Ed25519' }, { signatureScheme: 'nexus-iq', signatureAlgorithm: 'Ed25519' }, { signatureScheme: 'standard-webhooks', signatureAlgorithm: 'HmacSHA1' }]) {
        const refused = await api(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, { url: receiver.url, ...body });
        assert.equal(refused.status, 400, JSON.stringify(body));
        assert.equal(refused.body.code, 'invalid_parameter');
      }
    });
  });
}
