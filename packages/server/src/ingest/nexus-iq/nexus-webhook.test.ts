import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { verifyWebhook } from '@arkiv/client/webhooks';
import { testDialects } from '../../test/test-database.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { startReceiver, type Receiver } from '../../webhooks/test-support.js';
import { call, opensslHmac } from '../sonarqube/test/helpers.js';
import { parseLenientJson } from './lenient-json.js';
import { APPLICATION_EVALUATION, EXAMPLE_DELIVERY_ID, LICENSE_OVERRIDE, POLICY_MANAGEMENT, SECURITY_VULNERABILITY_OVERRIDE } from './test/seed-004-payloads.js';

const SEED_EVENTS: Array<[string, string]> = [
  ['iq:policyManagement', POLICY_MANAGEMENT],
  ['iq:applicationEvaluation', APPLICATION_EVALUATION],
  ['iq:securityVulnerabilityOverrideManagement', SECURITY_VULNERABILITY_OVERRIDE],
  ['iq:licenseOverrideManagement', LICENSE_OVERRIDE],
];

for (const dialect of testDialects) {
  describe(`Nexus IQ webhook intake and relay (${dialect})`, () => {
    let server: TestServer;
    let receiver: Receiver;
    let connection: { id: string; secret: string; webhookUrl: string };
    let subscriber: { id: string; secret: string };

    /** Headers as Nexus IQ sends them (seed 004), the signature computed by OpenSSL. */
    const nexusHeaders = (eventType: string, deliveryId: string, body: string, algorithm?: 'HmacSHA1' | 'HmacSHA256') => ({
      'content-type': 'application/json; charset=UTF-8',
      'user-agent': 'Sonatype_CLM_Server/1.24.0-SNAPSHOT (Java 1.7.0_25; Mac OS X 10.11.5)',
      'x-nexus-webhook-id': eventType,
      'x-nexus-webhook-delivery': deliveryId,
      'x-nexus-webhook-signature': opensslHmac(algorithm === 'HmacSHA256' ? 'sha256' : 'sha1', connection.secret, body),
      ...(algorithm ? { 'x-nexus-webhook-signature-algorithm': algorithm } : {}),
    });
    const post = async (body: string, headers: Record<string, string>) => {
      const response = await fetch(connection.webhookUrl.replace(server.ctx.config.publicUrl, server.url), { method: 'POST', headers, body });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const count = async (table: 'integration_events' | 'nexus_iq_evaluations' | 'webhook_events') =>
      Number((await server.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      receiver = await startReceiver();
      server = await startTestServer(dialect);
      connection = (await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/nexus-iq`, server.tokens.admin, { name: 'Nexus IQ' })).body;
      const created = await call(server, 'POST', `/api/orgs/${server.orgId}/webhooks`, server.tokens.admin, { url: receiver.url, events: ['nexus-iq.*'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      subscriber = created.body;
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('accepts the exact example payloads of seed 004 signed with HmacSHA1, and relays each with an Arkiv signature', async () => {
      const deliveries = SEED_EVENTS.map(([type], i) => (i === 0 ? EXAMPLE_DELIVERY_ID : crypto.randomUUID()));
      for (const [i, [type, body]] of SEED_EVENTS.entries()) {
        // The seed's example header block carries no algorithm header; HmacSHA1 is then implied.
        const response = await post(body, nexusHeaders(type, deliveries[i]!, body, i === 0 ? undefined : 'HmacSHA1'));
        assert.equal(response.status, 202, `${type}: ${JSON.stringify(response.body)}`);
      }
      const received = await receiver.waitFor((r) => r.length >= SEED_EVENTS.length);
      for (const [i, [type, body]] of SEED_EVENTS.entries()) {
        const relayType = `nexus-iq.${type.slice(3)}`;
        const delivery = received.find((r) => r.headers['x-arkiv-webhook-id'] === relayType);
        assert.ok(delivery, `${relayType} was relayed`);
        const verified = verifyWebhook({ scheme: 'arkiv', secret: subscriber.secret, body: delivery.body, headers: delivery.headers });
        assert.equal(verified.ok, true, `${relayType} carries a valid Arkiv signature`);
        const relayed = JSON.parse(delivery.body.toString('utf8'));
        assert.equal(relayed.type, relayType);
        assert.equal(relayed.organizationId, server.orgId);
        assert.deepEqual(relayed.data, parseLenientJson(body), 'the original payload, unchanged');
        assert.deepEqual(relayed.source, { kind: 'nexus-iq', connectionId: connection.id, eventType: type, deliveryId: deliveries[i] });
      }
      const view = await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/nexus-iq/${connection.id}`, server.tokens.admin);
      assert.deepEqual(view.body.lastEvents.map((e: any) => e.eventType).sort(), SEED_EVENTS.map(([t]) => t).sort());
    });

    it('makes application evaluations queryable', async () => {
      const listed = await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/nexus-iq/evaluations`, server.tokens.read);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.evaluations.length, 1);
      const { id: _id, receivedAt: _r, ...evaluation } = listed.body.evaluations[0];
      assert.deepEqual(evaluation, {
        connectionId: connection.id,
        policyEvaluationId: 'debceb1d-9209-485d-8d07-bd5390de7ef5',
        applicationId: '6a454175-f55d-4d33-ba44-90ac3af2e8b8',
        applicationPublicId: null,
        applicationName: null,
        stage: 'build',
        outcome: 'fail',
        evaluationDate: '2015-05-05T23:40:12Z',
        affectedComponentCount: 10,
        criticalComponentCount: 2,
        severeComponentCount: 5,
        moderateComponentCount: 3,
      });
      const query = async (q: string) => (await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/nexus-iq/evaluations?${q}`, server.tokens.read)).body.evaluations.length;
      assert.equal(await query('stage=build&application=6a454175-f55d-4d33-ba44-90ac3af2e8b8'), 1);
      assert.equal(await query('stage=release'), 0);
      assert.equal(await query('since=2016-01-01T00:00:00Z'), 0);
      assert.equal((await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/nexus-iq/evaluations`)).status, 401);
    });

    it('accepts HmacSHA256 and strict JSON, including the later iq:policyAlert event', async () => {
      const body = JSON.stringify({ applicationEvaluation: { policyEvaluationId: 'p-2', stage: 'release', ownerId: 'app-2', evaluationDate: '2025-06-01T10:00:00Z' }, policyAlerts: [] });
      const response = await post(body, nexusHeaders('iq:policyAlert', crypto.randomUUID(), body, 'HmacSHA256'));
      assert.equal(response.status, 202);
      await receiver.waitFor((r) => r.some((d) => d.headers['x-arkiv-webhook-id'] === 'nexus-iq.policyAlert'));
    });

    it('refuses a tampered body, a missing signature, an unknown algorithm or event, and stores nothing', async () => {
      const before = [await count('integration_events'), await count('nexus_iq_evaluations'), await count('webhook_events')];
      const headers = nexusHeaders('iq:applicationEvaluation', crypto.randomUUID(), APPLICATION_EVALUATION, 'HmacSHA1');
      const tampered = await post(APPLICATION_EVALUATION.replace("'fail'", "'pass'"), headers);
      assert.deepEqual([tampered.status, tampered.body.code], [401, 'signature_invalid']);
      const { 'x-nexus-webhook-signature': _s, ...unsigned } = headers;
      const missing = await post(APPLICATION_EVALUATION, unsigned);
      assert.deepEqual([missing.status, missing.body.code], [401, 'signature_missing']);
      const md5 = await post(APPLICATION_EVALUATION, { ...headers, 'x-nexus-webhook-signature-algorithm': 'HmacMD5' });
      assert.deepEqual([md5.status, md5.body.code], [400, 'unsupported_algorithm']);
      const unknownEvent = await post(POLICY_MANAGEMENT, nexusHeaders('iq:somethingElse', crypto.randomUUID(), POLICY_MANAGEMENT));
      assert.deepEqual([unknownEvent.status, unknownEvent.body.code], [400, 'unsupported_event']);
      const badEvaluation = "{'applicationEvaluation': {'stage': 'build'}}";
      const incomplete = await post(badEvaluation, nexusHeaders('iq:applicationEvaluation', crypto.randomUUID(), badEvaluation));
      assert.deepEqual([incomplete.status, incomplete.body.code], [400, 'invalid_payload']);
      assert.deepEqual([await count('integration_events'), await count('nexus_iq_evaluations'), await count('webhook_events')], before);
    });

    it('stores a repeated delivery id once and relays it once', async () => {
      const before = [await count('integration_events'), await count('webhook_events')];
      const deliveryId = crypto.randomUUID();
      const body = LICENSE_OVERRIDE;
      const first = await post(body, nexusHeaders('iq:licenseOverrideManagement', deliveryId, body, 'HmacSHA1'));
      const second = await post(body, nexusHeaders('iq:licenseOverrideManagement', deliveryId, body, 'HmacSHA1'));
      assert.deepEqual([first.status, second.status, second.body.status], [202, 200, 'duplicate']);
      assert.deepEqual([await count('integration_events'), await count('webhook_events')], [before[0]! + 1, before[1]! + 1]);
      const events = await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/nexus-iq/${connection.id}`, server.tokens.admin);
      assert.equal(events.body.lastEvents.filter((e: any) => e.deliveryId === deliveryId).length, 1);
    });
  });
}
