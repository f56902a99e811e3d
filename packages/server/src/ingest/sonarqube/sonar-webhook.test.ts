import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs } from '../../jobs/job-queue.js';
import { testDialects } from '../../test/test-database.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { call, opensslHmac, until } from './test/helpers.js';
import { ANALYSIS_DATE, PROJECT_KEY, PROJECT_NAME } from './test/sonar-fixtures.js';
import { expectedCounts } from './test/expected-counts.js';
import { generatedProject } from './test/generated-project.js';
import { startSonarStandIn, type StandIn } from './test/sonar-stand-in.js';
import { assertInsideDescription } from './test/sonar-webapi.js';

const SONAR_TOKEN = 'squ_webhook_test_token_0123456789';

/** The body SonarQube POSTs when an analysis's background task ends (field names as SonarQube sends them). */
function analysisPayload(taskId: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    serverUrl: 'http://sonarqube.internal:9000',
    taskId,
    status: 'SUCCESS',
    analysedAt: ANALYSIS_DATE,
    revision: 'c739069ec7105e01303e8b3065a81141aad9f129',
    changedAt: ANALYSIS_DATE,
    project: { key: PROJECT_KEY, name: PROJECT_NAME, url: `http://sonarqube.internal:9000/dashboard?id=${PROJECT_KEY}` },
    branch: { name: 'main', type: 'BRANCH', isMain: true, url: `http://sonarqube.internal:9000/dashboard?id=${PROJECT_KEY}` },
    qualityGate: { name: 'Sonar way', status: 'OK', conditions: [] },
    properties: {},
    ...overrides,
  });
}

for (const dialect of testDialects) {
  describe(`SonarQube webhook (${dialect})`, () => {
    let server: TestServer;
    let sonar: StandIn;
    let clockOffset = 0;
    let connection: { id: string; secret: string; webhookUrl: string };

    const post = async (body: string, headers: Record<string, string>, id = connection.id) => {
      const response = await fetch(`${server.url}/integrations/sonarqube/${id}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const signed = (body: string, secret = connection.secret) => ({ 'x-sonar-webhook-hmac-sha256': opensslHmac('sha256', secret, body) });
    const counts = async () => {
      const n = async (table: 'jobs' | 'integration_events' | 'reports') => Number((await server.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      return { jobs: await n('jobs'), events: await n('integration_events'), reports: await n('reports') };
    };
    const eventStatus = async (eventId: string) => (await server.ctx.db.selectFrom('integration_events').select(['status', 'detail']).where('id', '=', eventId).executeTakeFirstOrThrow());

    before(async () => {
      sonar = await startSonarStandIn({ token: SONAR_TOKEN });
      server = await startTestServer(dialect, {}, (ctx) => {
        ctx.now = () => Date.now() + clockOffset;
      });
      const created = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Sonar', serverUrl: sonar.url, token: SONAR_TOKEN });
      connection = created.body;
    });
    after(async () => {
      await server.stop();
      await sonar.close();
    });

    it('shows the webhook URL and secret to paste into SonarQube, never the SonarQube token', async () => {
      const read = await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}`, server.tokens.admin);
      assert.equal(read.body.webhookUrl, `${server.ctx.config.publicUrl}/integrations/sonarqube/${connection.id}/webhook`);
      assert.match(read.body.secret, /^[0-9a-f]{64}$/);
      assert.equal(read.body.hasToken, true);
      assert.doesNotMatch(JSON.stringify(read.body), new RegExp(SONAR_TOKEN));
      const stored = await server.ctx.db.selectFrom('integration_connections').selectAll().where('id', '=', connection.id).executeTakeFirstOrThrow();
      assert.ok(!stored.token_sealed!.includes(SONAR_TOKEN) && !stored.secret_sealed.includes(read.body.secret), 'secrets are encrypted at rest');
      assert.equal((await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.upload)).status, 403);
    });

    it('documents every integrations route in the OpenAPI document', async () => {
      const { paths } = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      for (const [path, method] of [
        ['/api/orgs/{orgId}/integrations/{kind}', 'post'], ['/api/orgs/{orgId}/integrations/{kind}/{id}', 'patch'],
        ['/api/orgs/{orgId}/integrations/sonarqube/{id}/import', 'post'], ['/api/orgs/{orgId}/integrations/nexus-iq/evaluations', 'get'],
        ['/security/report/sonarqube', 'post'], ['/integrations/sonarqube/{connectionId}/webhook', 'post'], ['/integrations/nexus-iq/{connectionId}/webhook', 'post'],
      ] as const) {
        assert.ok(paths[path]?.[method], `${method.toUpperCase()} ${path} is in /openapi.json`);
      }
    });

    it('queues a durable import for a signed analysis and imports it in the background', async () => {
      const body = analysisPayload('AXtask-1');
      const response = await post(body, signed(body));
      assert.equal(response.status, 202, JSON.stringify(response.body));
      assert.equal(response.body.status, 'queued');
      await until(async () => (await eventStatus(response.body.eventId)).status === 'imported', 'the import');
      const listed = await call(server, 'GET', `/security/report/list?org=${server.orgId}&version=2.4.1`);
      assert.deepEqual(listed.body.reports.map((r: any) => [r.reportType, r.vulnerabilitiesCount, r.securityRating]).sort(), [['CWE Top 25', 3, 'C'], ['OWASP Top 10', 6, 'D']]);
      const view = await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}`, server.tokens.admin);
      assert.deepEqual(view.body.lastEvents.map((e: any) => [e.deliveryId, e.status]), [['AXtask-1', 'imported']]);

      const again = await post(body, signed(body));
      assert.deepEqual([again.status, again.body.status], [200, 'duplicate']);
    });

    it('imports two pages of open vulnerabilities with the counts SonarQube\'s cwe / owaspTop10-2021 filters give', async () => {
      const project = generatedProject({ openVulnerabilities: 700 });
      const large = await startSonarStandIn({ token: SONAR_TOKEN, project });
      try {
        const made = (await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Large', serverUrl: large.url, token: SONAR_TOKEN })).body;
        const body = analysisPayload('AXtask-large', { project: { key: project.key, name: project.name, url: 'http://sonarqube.internal:9000/dashboard?id=generated' } });
        const response = await post(body, signed(body, made.secret), made.id);
        assert.equal(response.status, 202, JSON.stringify(response.body));
        await until(async () => (await eventStatus(response.body.eventId)).status === 'imported', 'the import', 30_000);
        const expected = await expectedCounts(large, project.key);
        const listed = await call(server, 'GET', `/security/report/list?org=${server.orgId}&version=5.0.0`);
        assert.deepEqual(listed.body.reports.map((r: any) => [r.reportType, r.vulnerabilitiesCount]).sort(), [
          ['CWE Top 25', expected.total['CWE Top 25']], ['OWASP Top 10', expected.total['OWASP Top 10']],
        ]);
        assertInsideDescription(large.requests, large.version);
      } finally {
        await large.close();
      }
    });

    it('refuses unsigned, badly signed, malformed and unknown calls with a 4xx and changes nothing', async () => {
      const before = await counts();
      const body = analysisPayload('AXtask-bad');
      const unsigned = await post(body, {});
      assert.deepEqual([unsigned.status, unsigned.body.code], [401, 'signature_missing']);
      const wrongKey = await post(body, signed(body, 'not-the-secret'));
      assert.deepEqual([wrongKey.status, wrongKey.body.code], [401, 'signature_invalid']);
      const tampered = await post(body.replace('2.4.1', '9.9.9').replace(PROJECT_NAME, 'Evil'), signed(body));
      assert.deepEqual([tampered.status, tampered.body.code], [401, 'signature_invalid']);
      const notJson = '{"taskId": "AXtask-x", ';
      const malformed = await post(notJson, signed(notJson));
      assert.deepEqual([malformed.status, malformed.body.code], [400, 'invalid_payload']);
      const noProject = JSON.stringify({ taskId: 'AXtask-y', status: 'SUCCESS' });
      assert.equal((await post(noProject, signed(noProject))).status, 400);
      const unknownConnection = await post(body, signed(body), '00000000-0000-4000-8000-000000000000');
      assert.equal(unknownConnection.status, 404);

      const mapped = (await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Mapped', serverUrl: sonar.url, token: SONAR_TOKEN, projects: { 'billing-api': 'Billing API' } })).body;
      const outside = await post(body, signed(body, mapped.secret), mapped.id);
      assert.deepEqual([outside.status, outside.body.code], [422, 'unknown_project']);
      assert.deepEqual(await counts(), { ...before, events: before.events });
    });

    it('notes failed analyses without importing them', async () => {
      const before = await counts();
      const body = analysisPayload('AXtask-failed', { status: 'FAILED' });
      const response = await post(body, signed(body));
      assert.deepEqual([response.status, response.body.status], [200, 'ignored']);
      const after = await counts();
      assert.deepEqual([after.jobs, after.events, after.reports], [before.jobs, before.events + 1, before.reports]);
    });

    it('retries with back-off while SonarQube is down, then imports', async () => {
      sonar.failNext('api/measures/component', 503);
      const body = analysisPayload('AXtask-retry');
      const response = await post(body, signed(body));
      assert.equal(response.status, 202);
      await until(async () => (await eventStatus(response.body.eventId)).status === 'retrying', 'the first attempt to fail');
      assert.match((await eventStatus(response.body.eventId)).detail ?? '', /attempt 1: SonarQube answered 503/);
      const jobOf = () => server.ctx.db.selectFrom('jobs').selectAll().where('payload', 'like', `%${response.body.eventId}%`).executeTakeFirstOrThrow();
      // The event is marked before the attempt is recorded: wait for the job to be rescheduled too.
      await until(async () => (await jobOf()).status === 'queued', 'the job to be rescheduled');
      const job = await jobOf();
      assert.ok(job.run_at - server.ctx.now() > backoffMs(1) - 5000, 'the retry waits for its back-off');
      clockOffset += backoffMs(1);
      await until(async () => (await eventStatus(response.body.eventId)).status === 'imported', 'the retry');
      // The event is marked imported inside the handler, before the queue records the job's success.
      const doneJob = () => server.ctx.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      await until(async () => (await doneJob()).status !== 'running', 'the job to be recorded');
      const done = await doneJob();
      assert.deepEqual([done.status, done.attempts], ['succeeded', 2]);
    });

    it('retries while SonarQube is unreachable, with the cause in the connection\'s lastEvents', async () => {
      const gone = await startSonarStandIn({ token: SONAR_TOKEN });
      await gone.close();
      const made = (await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Gone', serverUrl: gone.url, token: SONAR_TOKEN })).body;
      const body = analysisPayload('AXtask-gone');
      const response = await post(body, signed(body, made.secret), made.id);
      assert.equal(response.status, 202);
      await until(async () => (await eventStatus(response.body.eventId)).status === 'retrying', 'the first attempt to fail');
      const view = await call(server, 'GET', `/api/orgs/${server.orgId}/integrations/sonarqube/${made.id}`, server.tokens.admin);
      assert.match(view.body.lastEvents[0].detail, /attempt 1: SonarQube is unreachable \(api\/server\/version\): .*ECONNREFUSED/);
    });

    it('fails at once when retrying cannot help (SonarQube refuses the token)', async () => {
      const badToken = (await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Bad token', serverUrl: sonar.url, token: 'squ_revoked' })).body;
      const body = analysisPayload('AXtask-401');
      const response = await post(body, signed(body, badToken.secret), badToken.id);
      assert.equal(response.status, 202);
      await until(async () => (await eventStatus(response.body.eventId)).status === 'failed', 'the permanent failure');
      assert.match((await eventStatus(response.body.eventId)).detail ?? '', /401/);
    });

    it('updates, rotates the secret of and deletes a connection', async () => {
      const base = `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}`;
      const renamed = await call(server, 'PATCH', base, server.tokens.admin, { name: 'Renamed', projects: { [PROJECT_KEY]: 'Shop' } });
      assert.deepEqual([renamed.status, renamed.body.name, renamed.body.projects, renamed.body.secret], [200, 'Renamed', { [PROJECT_KEY]: 'Shop' }, connection.secret]);
      const rotated = await call(server, 'PATCH', base, server.tokens.admin, { rotateSecret: true });
      assert.notEqual(rotated.body.secret, connection.secret);
      const body = analysisPayload('AXtask-after-rotation');
      assert.equal((await post(body, signed(body))).status, 401, 'the old secret stops working at once');
      assert.equal((await post(body, signed(body, rotated.body.secret))).status, 202);
      assert.equal((await call(server, 'DELETE', base, server.tokens.admin)).status, 204);
      assert.equal((await call(server, 'GET', base, server.tokens.admin)).status, 404);
      assert.equal((await post(body, signed(body, rotated.body.secret))).status, 404);
      const left = await server.ctx.db.selectFrom('integration_events').select('id').where('connection_id', '=', connection.id).execute();
      assert.equal(left.length, 0, 'its events went with it');
    });
  });
}
