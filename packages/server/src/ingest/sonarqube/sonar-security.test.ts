import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type http from 'node:http';
import { PermanentJobError } from '../../jobs/job-worker.js';
import { testDialects } from '../../test/test-database.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { collectAnalysis } from './collect-analysis.js';
import { MAX_REQUESTS, MAX_RESULTS, PAGE_SIZE } from './search-all.js';
import { sonarImportHandler } from './import-job.js';
import { JSON_MAX_BYTES, SonarApi } from './sonar-api.js';
import { call, opensslHmac, storedFile, until } from './test/helpers.js';
import { ANALYSIS_DATE, PROJECT_KEY, PROJECT_NAME } from './test/sonar-fixtures.js';
import { startSonarStandIn, type StandIn } from './test/sonar-stand-in.js';

// Issue 5: the security review's findings in the SonarQube ingestion, one block each.
const SONAR_TOKEN = 'squ_security_test_token_0123456789';
const EVIL_TOKEN = 'squ_evil_hosts_own_token';
const MiB = 1024 * 1024;
const basic = (token: string) => `Basic ${Buffer.from(`${token}:`).toString('base64')}`;

/** Streams blanks (valid JSON whitespace, never ending JSON) up to 256 MiB, counting what it wrote. */
function flood(counter: { bytes: number; closed: boolean }) {
  return (res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.on('close', () => void (counter.closed = true));
    const chunk = Buffer.alloc(MiB, 0x20);
    const pump = () => {
      while (counter.bytes < 256 * MiB && !res.destroyed) {
        counter.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}

describe('SonarQube issue and hotspot cap', () => {
  it(`keeps at most ${MAX_RESULTS} issues (pages of ${PAGE_SIZE}) however large the pages a server sends, and says what it could not read`, async () => {
    const sonar = await startSonarStandIn({
      token: SONAR_TOKEN,
      respond: {
        'api/issues/search': (res, params) => {
          const issues = Array.from({ length: 6000 }, (_, i) => ({ key: `i-${params.get('p')}-${i}`, rule: 'java:S0000', severity: 'MAJOR' }));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ paging: { pageIndex: Number(params.get('p')), pageSize: 500, total: 50_000 }, issues }));
        },
      },
    });
    try {
      const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: SONAR_TOKEN }), { projectKey: PROJECT_KEY });
      assert.equal(collected.input.findings.length, MAX_RESULTS);
      assert.equal(sonar.requests.filter((r) => r.path === 'api/issues/search').length, MAX_RESULTS / PAGE_SIZE, 'no page past the window is asked for');
      assert.match(collected.input.unread?.join() ?? '', /40000 of 50000 results of api\/issues\/search past SonarQube's 10 000 \(no rules facet/);
    } finally {
      await sonar.close();
    }
  });
});

describe('SonarQube searches past 10 000 against a server that never stops claiming more', () => {
  it(`stop after ${MAX_REQUESTS} requests and say so`, async () => {
    const sonar = await startSonarStandIn({
      token: SONAR_TOKEN,
      respond: {
        'api/issues/search': (res, params) => {
          // Every window, however narrow, claims a billion issues of one rule spread over 30 years.
          const asc = params.get('asc');
          const date = asc === 'false' ? '2055-01-01T00:00:00+0000' : '2025-01-01T00:00:00+0000';
          const issues = [{ key: `i-${params.get('createdAfter')}-${params.get('p')}`, rule: 'java:S0000', creationDate: date }];
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ paging: { pageIndex: 1, pageSize: 500, total: 1e9 }, issues, facets: [{ property: 'rules', values: [{ val: 'java:S0000', count: 1e9 }] }] }));
        },
      },
    });
    try {
      const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: SONAR_TOKEN }), { projectKey: PROJECT_KEY });
      assert.equal(sonar.requests.filter((r) => r.path === 'api/issues/search').length, MAX_REQUESTS);
      assert.match(collected.input.unread!.join(), new RegExp(`stopped after ${MAX_REQUESTS} requests`));
    } finally {
      await sonar.close();
    }
  });
});

for (const dialect of testDialects) {
  describe(`SonarQube ingestion security (${dialect})`, () => {
    let server: TestServer;
    let sonar: StandIn;
    let evil: StandIn;
    let fake: StandIn;
    let hostile: StandIn;
    const streamed = { bytes: 0, closed: false };
    const warnings: unknown[][] = [];
    const connect = async (serverUrl: string, projects?: Record<string, string>) => {
      const created = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Sonar', serverUrl, token: SONAR_TOKEN, ...(projects ? { projects } : {}) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body as { id: string; secret: string };
    };
    const importVia = (id: string, projectKey = PROJECT_KEY) =>
      call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${id}/import`, server.tokens.admin, { projectKey });

    before(async () => {
      sonar = await startSonarStandIn({ token: SONAR_TOKEN });
      evil = await startSonarStandIn({ token: EVIL_TOKEN });
      fake = await startSonarStandIn({ token: SONAR_TOKEN, enterprise: true, enterprisePdf: Buffer.from('<html><body>502 Bad Gateway (proxy)</body></html>') });
      hostile = await startSonarStandIn({
        token: SONAR_TOKEN,
        respond: {
          'api/measures/component': flood(streamed),
          // Declares 10 GiB and then sends nothing: must be refused on the header alone.
          'api/project_analyses/search': (res) => {
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * MiB) });
            res.write('{');
          },
        },
      });
      server = await startTestServer(dialect, {}, (ctx) => {
        const warn = ctx.log.warn.bind(ctx.log);
        ctx.log.warn = ((...args: unknown[]) => {
          warnings.push(args);
          return (warn as (...a: unknown[]) => void)(...args);
        }) as typeof ctx.log.warn;
      });
    });
    after(async () => {
      await server.stop();
      for (const standIn of [sonar, evil, fake, hostile]) await standIn.close();
    });

    it('1. aborts a SonarQube answer past the JSON limit instead of buffering it', async () => {
      const connection = await connect(hostile.url);
      const response = await importVia(connection.id);
      assert.equal(response.status, 502, JSON.stringify(response.body));
      assert.equal(response.body.code, 'sonarqube_bad_response');
      await until(async () => streamed.closed, 'the flooding response to be closed');
      assert.ok(streamed.bytes < JSON_MAX_BYTES + 32 * MiB, `the stand-in wrote ${streamed.bytes} bytes before the request was aborted`);
    });

    it('1. refuses an answer whose content-length is past the limit without reading it', async () => {
      const api = new SonarApi({ baseUrl: hostile.url, token: SONAR_TOKEN, timeoutMs: 20_000 });
      const started = Date.now();
      await assert.rejects(api.json('api/project_analyses/search', { project: PROJECT_KEY }), (error: Error) => {
        assert.equal((error as { failure?: string }).failure, 'bad_response');
        assert.match(error.message, /more than 16777216 bytes/);
        return true;
      });
      assert.ok(Date.now() - started < 5_000, 'refused on the header, not after a timeout');
    });

    it('2. a serverUrl change needs a token in the same request: the old token never reaches the new host', async () => {
      const connection = await connect(sonar.url);
      const path = `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}`;
      const moved = await call(server, 'PATCH', path, server.tokens.admin, { serverUrl: evil.url });
      assert.equal(moved.status, 400, JSON.stringify(moved.body));
      assert.equal(moved.body.code, 'token_required');
      assert.equal((await call(server, 'GET', path, server.tokens.admin)).body.serverUrl, sonar.url, 'nothing changed');
      assert.equal((await call(server, 'PATCH', path, server.tokens.admin, { serverUrl: sonar.url, name: 'Same server' })).status, 200, 'the same URL needs no token');
      assert.ok([200, 201].includes((await importVia(connection.id)).status));
      assert.equal(evil.requests.length, 0);

      const withToken = await call(server, 'PATCH', path, server.tokens.admin, { serverUrl: evil.url, token: EVIL_TOKEN });
      assert.equal(withToken.status, 200, JSON.stringify(withToken.body));
      assert.ok([200, 201].includes((await importVia(connection.id)).status));
      assert.ok(evil.requests.length > 0);
      assert.ok(evil.requests.every((r) => r.authorization === basic(EVIL_TOKEN)), 'only the token given for the new host is sent there');
    });

    it('3. project keys that are Object.prototype members do not pass the allow-list', async () => {
      const connection = await connect(sonar.url, { [PROJECT_KEY]: PROJECT_NAME });
      for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        const response = await importVia(connection.id, key);
        assert.equal(response.status, 422, `${key}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'unknown_project');
      }
      const body = JSON.stringify({ taskId: 'AX-proto-1', status: 'SUCCESS', analysedAt: ANALYSIS_DATE, project: { key: 'constructor', name: 'x' }, properties: {} });
      const webhook = await fetch(`${server.url}/integrations/sonarqube/${connection.id}/webhook`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-sonar-webhook-hmac-sha256': opensslHmac('sha256', connection.secret, body) },
      });
      assert.equal(webhook.status, 422);
      assert.equal(((await webhook.json()) as { code: string }).code, 'unknown_project');
    });

    it("4. a download that is not a PDF is replaced by Arkiv's rendering, with a warning", async () => {
      const connection = await connect(fake.url);
      const response = await importVia(connection.id);
      assert.ok([200, 201].includes(response.status), JSON.stringify(response.body));
      assert.equal(response.body.sonarqubePdf, false);
      assert.ok(fake.requests.some((r) => r.path === 'api/security_reports/download'));
      for (const report of response.body.reports) {
        const pdf = await storedFile(server, report.id, 'pdf');
        assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
        assert.notEqual(pdf.fileName, 'sonarqube-security-report.pdf');
      }
      const warned = warnings.filter(([fields]) => (fields as { reason?: string }).reason?.includes('not a PDF'));
      assert.equal(warned.length, 1, 'one warning saying why');
    });

    it('5. admin-made SonarQube URLs never reach link-local or metadata addresses; loopback stays reachable', async () => {
      for (const url of ['http://169.254.169.254/', 'http://[fe80::1]:9000/']) {
        const connection = await connect(url);
        const response = await importVia(connection.id);
        assert.equal(response.status, 400, `${url}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.code, 'webhook_target_refused');
      }
      const direct = await call(server, 'POST', '/security/report/sonarqube', server.tokens.admin, { sonarUrl: 'http://169.254.169.254/', sonarToken: SONAR_TOKEN, projectKey: PROJECT_KEY });
      assert.equal(direct.status, 400);
      assert.equal(direct.body.code, 'webhook_target_refused');

      // The webhook's import job: refused for good, not retried.
      const metadata = await connect('http://169.254.169.254/');
      const run = sonarImportHandler(server.ctx)({
        id: crypto.randomUUID(), kind: 'sonarqube.import', orgId: server.orgId, attempt: 1, maxAttempts: 5, signal: new AbortController().signal,
        payload: { connectionId: metadata.id, eventId: crypto.randomUUID(), projectKey: PROJECT_KEY },
      });
      await assert.rejects(run, PermanentJobError);

      const loopback = await connect(sonar.url);
      assert.ok([200, 201].includes((await importVia(loopback.id)).status), 'private and loopback SonarQube servers stay reachable');
    });
  });
}
