import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { startTcpProxy, type TcpProxy } from '../test/tcp-proxy.js';

// Only PostgreSQL is a server that can go away; SQLite is a file inside the process.
if (testDialects.includes('postgres')) {
  describe('PostgreSQL unreachable while serving', () => {
    let server: TestServer;
    let proxy: TcpProxy;
    const logLines: Array<Record<string, unknown>> = [];
    before(async () => {
      const direct = new URL(process.env.ARKIV_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
      proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      const viaProxy = (url: string) => Object.assign(new URL(url), { host: `127.0.0.1:${proxy.port}` }).toString();
      server = await startTestServer('postgres', {}, (ctx) => {
        // The log is kept to count its lines.
        ctx.log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => { logLines.push(JSON.parse(String(chunk))); done(); } }));
      }, viaProxy);
    });
    after(async () => {
      await proxy.restore().catch(() => {});
      await server.stop();
      await proxy.close();
    });

    const list = () => fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0`, { headers: { authorization: `Bearer ${server.tokens.read}` } });

    it('answers 503 database_unavailable with Retry-After while it is gone, logs the outage once, and recovers without a restart', async () => {
      assert.equal((await list()).status, 200);
      await proxy.cut();
      const during: Response[] = [];
      for (let i = 0; i < 8; i += 1) during.push(await list());
      for (const response of during) {
        assert.equal(response.status, 503);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.ok(Number(response.headers.get('retry-after')) > 0);
        assert.equal(((await response.json()) as { code: string }).code, 'database_unavailable');
      }
      // Token-authenticated writes fail the same way, in the authentication hook.
      const write = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: new FormData() });
      assert.equal(write.status, 503);
      const outageLines = logLines.filter((l) => l.msg === 'database unavailable');
      assert.equal(outageLines.length, 1, 'one line per outage');
      assert.equal(logLines.filter((l) => l.msg === 'request failed').length, 0, 'no stack trace per request');

      await proxy.restore();
      let recovered = 0;
      for (let attempt = 0; attempt < 50 && recovered !== 200; attempt += 1) {
        recovered = (await list()).status;
        if (recovered !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(recovered, 200);
      assert.equal(logLines.filter((l) => l.msg === 'database reachable again').length, 1);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^arkiv_database_outages_total 1$/m);
    });
  });
}
