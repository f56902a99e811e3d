import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testDialects } from '../../test/test-database.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { call } from './test/helpers.js';
import { PROJECT_KEY, PROJECT_NAME } from './test/sonar-fixtures.js';
import { expectedCounts } from './test/expected-counts.js';
import { generatedProject } from './test/generated-project.js';
import { startSonarStandIn, type StandIn } from './test/sonar-stand-in.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../../../client/src/cli/main.ts', import.meta.url));
const SONAR_TOKEN = 'squ_cli_test_token_0123456789';

/** Runs the real `arkiv` CLI in a child process (asynchronously: the server lives in this one). */
function arkiv(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of ['ARKIV_URL', 'ARKIV_TOKEN', 'SONAR_HOST_URL', 'SONAR_TOKEN']) delete base[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

for (const dialect of testDialects) {
  describe(`arkiv sonarqube import (${dialect})`, () => {
    let server: TestServer;
    let sonar: StandIn;

    before(async () => {
      sonar = await startSonarStandIn({ token: SONAR_TOKEN, enterprise: false });
      server = await startTestServer(dialect);
    });
    after(async () => {
      await server.stop();
      await sonar.close();
    });

    it('imports with an upload token, SonarQube named by flags or by the SonarScanner variables', async () => {
      const run = await arkiv(['sonarqube', 'import', '--server', server.url, '--token', server.tokens.upload, '--sonar-url', sonar.url, '--sonar-token', SONAR_TOKEN, '--project', PROJECT_KEY, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout);
      assert.deepEqual(result.reports.map((r: any) => [r.reportType, r.projectName, r.projectVersion, r.vulnerabilitiesCount, r.securityRating]).sort(), [
        ['CWE Top 25', PROJECT_NAME, '2.4.1', 3, 'C'],
        ['OWASP Top 10', PROJECT_NAME, '2.4.1', 6, 'D'],
      ]);
      const byEnv = await arkiv(['sonarqube', 'import', '--project', PROJECT_KEY, '--version', '2.5.0', '--project-name', 'Shop'], {
        ARKIV_URL: server.url, ARKIV_TOKEN: server.tokens.upload, SONAR_HOST_URL: sonar.url, SONAR_TOKEN,
      });
      assert.equal(byEnv.code, 0, byEnv.stderr);
      assert.match(byEnv.stdout, /stored CWE Top 25 2024 for Shop 2\.5\.0: 3 vulnerabilities, rating C/);
      assert.match(byEnv.stdout, /stored OWASP Top 10 2021 for Shop 2\.5\.0: 6 vulnerabilities, rating D/);
    });

    it('imports two pages of open vulnerabilities with the counts SonarQube\'s cwe / owaspTop10-2021 filters give', async () => {
      const project = generatedProject({ openVulnerabilities: 700 });
      const large = await startSonarStandIn({ token: SONAR_TOKEN, project });
      try {
        const run = await arkiv(['sonarqube', 'import', '--server', server.url, '--token', server.tokens.upload, '--sonar-url', large.url, '--sonar-token', SONAR_TOKEN, '--project', project.key, '--json']);
        assert.equal(run.code, 0, run.stderr);
        const expected = await expectedCounts(large, project.key);
        assert.deepEqual(JSON.parse(run.stdout).reports.map((r: any) => [r.reportType, r.vulnerabilitiesCount]).sort(), [
          ['CWE Top 25', expected.total['CWE Top 25']], ['OWASP Top 10', expected.total['OWASP Top 10']],
        ]);
      } finally {
        await large.close();
      }
    });

    it('exits 1 with the API code when SonarQube refuses the token, 2 when SonarQube is not named', async () => {
      const refused = await arkiv(['sonarqube', 'import', '--server', server.url, '--token', server.tokens.upload, '--sonar-url', sonar.url, '--sonar-token', 'squ_wrong', '--project', PROJECT_KEY]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /sonarqube_unauthorized/);
      const unnamed = await arkiv(['sonarqube', 'import', '--server', server.url, '--token', server.tokens.upload, '--project', PROJECT_KEY]);
      assert.equal(unnamed.code, 2);
      assert.match(unnamed.stderr, /SONAR_HOST_URL/);
      const readOnly = await call(server, 'POST', '/security/report/sonarqube', server.tokens.read, { sonarUrl: sonar.url, sonarToken: SONAR_TOKEN, projectKey: PROJECT_KEY });
      assert.equal(readOnly.status, 403);
    });
  });

  describe(`SonarQube URLs chosen by non-admins pass the target guard (${dialect})`, () => {
    let server: TestServer;
    let sonar: StandIn;

    before(async () => {
      sonar = await startSonarStandIn({ token: SONAR_TOKEN });
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_ALLOW_PRIVATE: '0' });
    });
    after(async () => {
      await server.stop();
      await sonar.close();
    });

    it('refuses a loopback SonarQube for an upload token, allows it for an admin and for a stored connection', async () => {
      const body = { sonarUrl: sonar.url, sonarToken: SONAR_TOKEN, projectKey: PROJECT_KEY };
      const refused = await call(server, 'POST', '/security/report/sonarqube', server.tokens.upload, body);
      assert.deepEqual([refused.status, refused.body.code], [400, 'webhook_target_refused']);
      assert.equal(sonar.requests.length, 0, 'nothing was sent to the refused address');
      const admin = await call(server, 'POST', '/security/report/sonarqube', server.tokens.admin, body);
      assert.equal(admin.status, 201, JSON.stringify(admin.body));
      const connection = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Private', serverUrl: sonar.url, token: SONAR_TOKEN });
      const viaConnection = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.body.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.equal(viaConnection.status, 200);
    });
  });
}
