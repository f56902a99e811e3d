import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';

/** The sample count of one series of the request-duration histogram, 0 when absent. */
function durationCount(metrics: string, route: string, status: string): number {
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('arkiv_http_request_duration_seconds_count{') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

for (const dialect of testDialects) {
  describe(`health and metrics (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(() => server.stop());

    it('answers /healthz and /readyz', async () => {
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
      assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ready' });
    });

    it('times requests to every feature route, not only its own', async () => {
      const list = `${server.url}/security/report/list?org=${server.orgId}&version=1.0`;
      for (let i = 0; i < 3; i++) assert.equal((await fetch(list)).status, 200);
      assert.equal((await fetch(`${server.url}/security/report/list?org=${server.orgId}`)).status, 400);
      const tokens = await fetch(`${server.url}/api/orgs/${server.orgId}/tokens`, { headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(tokens.status, 200);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.equal(durationCount(metrics, '/security/report/list', '200'), 3);
      assert.equal(durationCount(metrics, '/security/report/list', '400'), 1);
      assert.equal(durationCount(metrics, '/api/orgs/:orgId/tokens', '200'), 1);
    });
  });
}
