import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { ReportChange } from '../../reports/report-hooks.js';
import { testDialects } from '../../test/test-database.js';
import { startTestServer, type TestServer } from '../../test/test-server.js';
import { call, pdfText, storedFile } from './test/helpers.js';
import { EXPECTED_DATE, PROJECT_KEY, PROJECT_NAME } from './test/sonar-fixtures.js';
import { startSonarStandIn, type StandIn } from './test/sonar-stand-in.js';
import { assertInsideDescription } from './test/sonar-webapi.js';
import { expectedCounts } from './test/expected-counts.js';
import { generatedProject } from './test/generated-project.js';

const SONAR_TOKEN = 'squ_0123456789abcdef0123456789abcdef01234567';

for (const dialect of testDialects) {
  describe(`SonarQube import (${dialect})`, () => {
    let server: TestServer;
    let sonar: StandIn;
    let enterprise: StandIn;
    const changes: ReportChange[] = [];
    const connect = async (url: string, token = SONAR_TOKEN, projects?: Record<string, string>) => {
      const created = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube`, server.tokens.admin, { name: 'Sonar', serverUrl: url, token, ...(projects ? { projects } : {}) });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body as { id: string; secret: string; webhookUrl: string };
    };
    const reportCount = async () => Number((await server.ctx.db.selectFrom('reports').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      sonar = await startSonarStandIn({ token: SONAR_TOKEN });
      enterprise = await startSonarStandIn({ token: SONAR_TOKEN, enterprise: true });
      server = await startTestServer(dialect, {}, (ctx) => {
        ctx.reportHooks.push(async (_trx, change) => void changes.push(change));
      });
    });
    after(async () => {
      await server.stop();
      await sonar.close();
      await enterprise.close();
    });

    it('imports an analysis through a stored connection: both reports, hand-computed counts and ratings, one event', async () => {
      const connection = await connect(sonar.url);
      const started = sonar.requests.length;
      const response = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      const byType = Object.fromEntries(response.body.reports.map((r: any) => [r.reportType, r]));
      assert.deepEqual(
        { count: byType['CWE Top 25'].vulnerabilitiesCount, rating: byType['CWE Top 25'].securityRating, version: byType['CWE Top 25'].reportVersion },
        { count: 3, rating: 'C', version: 2024 },
      );
      assert.deepEqual(
        { count: byType['OWASP Top 10'].vulnerabilitiesCount, rating: byType['OWASP Top 10'].securityRating, version: byType['OWASP Top 10'].reportVersion },
        { count: 6, rating: 'D', version: 2021 },
      );
      for (const report of response.body.reports) {
        assert.equal(report.projectName, PROJECT_NAME);
        assert.equal(report.projectVersion, '2.4.1');
        assert.equal(report.date, EXPECTED_DATE);
      }
      assert.equal(response.body.sonarqubePdf, false);

      // The Web API was read as documented: every page, the security filters, no branch for the main one.
      const seen = sonar.requests.slice(started);
      const issuePages = seen.filter((r) => r.path === 'api/issues/search');
      assert.deepEqual(issuePages.map((r) => r.params.get('p')), ['1']);
      for (const r of issuePages) {
        assert.equal(r.params.get('types'), 'VULNERABILITY');
        assert.equal(r.params.get('issueStatuses'), 'OPEN,CONFIRMED');
        assert.equal(r.params.get('components'), PROJECT_KEY);
        assert.equal(r.params.has('branch'), false);
      }
      assert.deepEqual(seen.filter((r) => r.path === 'api/hotspots/search').map((r) => r.params.get('p')), ['1']);
      assert.equal(seen.filter((r) => r.path === 'api/rules/search').length, 35, 'one rule list per CWE Top 25 and OWASP Top 10 category');
      assertInsideDescription(seen, sonar.version);
      assert.ok(seen.some((r) => r.path === 'api/security_reports/download'));

      // One event carrying both reports, as webhook subscribers will see it.
      const created = changes.filter((c) => c.type === 'report.created');
      assert.equal(created.length, 1);
      assert.deepEqual(created[0]!.reports.map((r) => r.reportType).sort(), ['CWE Top 25', 'OWASP Top 10']);
      assert.equal(created[0]!.initiator.startsWith('token:'), true);

      const listed = await call(server, 'GET', `/security/report/list?org=${server.orgId}&version=2.4.1`);
      assert.equal(listed.body.reports.length, 2);

      // Every issue and hotspot SonarQube served is stored with each report, keyed by SonarQube's own key.
      const found = await call(server, 'GET', `/api/orgs/${server.orgId}/findings?cwe=89&reportType=CWE%20Top%2025`, server.tokens.read);
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.deepEqual(
        found.body.groups.flatMap((g: any) => g.findings.map((f: any) => `${f.fingerprint} ${f.kind} ${f.severity} ${f.status} ${f.file}:${f.line} ${f.cwe} ${f.owasp}`)),
        ['AY-issue-1 vulnerability medium open src/main/java/com/acme/File1.java:10 CWE-89 A03', 'AY-hotspot-1 hotspot high open src/main/java/com/acme/Hot1.java:1 CWE-89 A03'],
      );
      const stored = await server.ctx.db.selectFrom('report_findings').select(['fingerprint', 'status']).where('report_id', '=', byType['OWASP Top 10'].id).orderBy('seq').execute();
      assert.equal(stored.length, 10, 'the six open vulnerabilities served and all four hotspots');
      assert.deepEqual(stored.filter((f) => f.fingerprint.startsWith('AY-hotspot')).map((f) => f.status), ['open', 'open', 'false_positive', 'accepted']);

      const owasp = byType['OWASP Top 10'];
      const pdf = await storedFile(server, owasp.id, 'pdf');
      const text = pdfText(pdf.bytes);
      for (const expected of ['OWASP Top 10 (2021) security report', `Project: ${PROJECT_NAME}`, 'Version: 2.4.1', 'Analysis date: 2025-03-14 08:30:00 UTC', 'Vulnerabilities: 6', 'Security rating: D']) {
        assert.ok(text.includes(expected), `PDF lacks "${expected}"`);
      }
      const cwePdf = pdfText((await storedFile(server, byType['CWE Top 25'].id, 'pdf')).bytes);
      for (const expected of ['CWE Top 25 (2024) security report', 'Vulnerabilities: 3', 'Security rating: C', 'CWE-89', 'CWE-918']) {
        assert.ok(cwePdf.includes(expected), `CWE PDF lacks "${expected}"`);
      }
      const html = (await storedFile(server, owasp.id, 'html')).bytes.toString('utf8');
      assert.match(html, /^<!DOCTYPE html>/);
      assert.doesNotMatch(html, /https?:|\/\/[a-z0-9]|src\s*=|@import|url\(/i, 'no external URL, script, image or import');
      assert.ok(html.includes(PROJECT_NAME) && html.includes('2.4.1'));
    });

    it('keeps SonarQube\'s own PDF when the Enterprise endpoint offers it, and replaces the reports in place', async () => {
      const connection = await connect(enterprise.url);
      const before = await reportCount();
      const response = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.equal(response.status, 200, 'same identity: replaced, not created');
      assert.equal(response.body.sonarqubePdf, true);
      assert.equal(await reportCount(), before);
      for (const report of response.body.reports) {
        const pdf = await storedFile(server, report.id, 'pdf');
        assert.equal(crypto.createHash('sha256').update(pdf.bytes).digest('hex'), crypto.createHash('sha256').update(enterprise.enterprisePdf).digest('hex'));
        assert.equal(pdf.fileName, 'sonarqube-security-report.pdf');
      }
      assert.equal(changes.filter((c) => c.type === 'report.updated').length, 1);
    });

    it('files the reports under --version when given', async () => {
      const connection = await connect(sonar.url);
      const response = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY, version: '3.0.0-rc.1' });
      assert.equal(response.status, 201);
      assert.deepEqual(response.body.reports.map((r: any) => r.projectVersion), ['3.0.0-rc.1', '3.0.0-rc.1']);
    });

    it('reports SonarQube failures with stable codes and stores nothing', async () => {
      const before = await reportCount();
      const badToken = await connect(sonar.url, 'squ_wrong');
      const refused = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${badToken.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.equal(refused.status, 502);
      assert.equal(refused.body.code, 'sonarqube_unauthorized');

      const good = await connect(sonar.url);
      sonar.failNext('api/issues/search', 500);
      const down = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${good.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.equal(down.status, 502);
      assert.equal(down.body.code, 'sonarqube_unavailable');
      assert.doesNotMatch(JSON.stringify(down.body), /squ_|stack|at \//);

      const missing = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${good.id}/import`, server.tokens.admin, { projectKey: 'no-such-project' });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'sonarqube_project_not_found');

      const mapped = await connect(sonar.url, SONAR_TOKEN, { 'other-project': 'Other' });
      const outside = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${mapped.id}/import`, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.equal(outside.status, 422);
      assert.equal(outside.body.code, 'unknown_project');
      assert.equal(await reportCount(), before);
    });

    it('imports two pages of open vulnerabilities with the counts SonarQube\'s cwe / owaspTop10-2021 filters give', async () => {
      const project = generatedProject({ openVulnerabilities: 700 });
      const large = await startSonarStandIn({ token: SONAR_TOKEN, project });
      try {
        const connection = await connect(large.url);
        const response = await call(server, 'POST', `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}/import`, server.tokens.admin, { projectKey: project.key });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        const expected = await expectedCounts(large, project.key);
        assert.deepEqual(response.body.reports.map((r: any) => [r.reportType, r.vulnerabilitiesCount]).sort(), [
          ['CWE Top 25', expected.total['CWE Top 25']], ['OWASP Top 10', expected.total['OWASP Top 10']],
        ]);
        assert.deepEqual(response.body.unread, []);
        assert.ok(large.requests.filter((r) => r.path === 'api/issues/search').length >= 2);
        assertInsideDescription(large.requests, large.version);
      } finally {
        await large.close();
      }
    });

    it('names the real cause: only the project lookup\'s 404 is project_not_found, other refusals carry SonarQube\'s message', async () => {
      const connection = await connect(sonar.url);
      const path = `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}/import`;
      sonar.failNext('api/hotspots/search', 404);
      const secondary = await call(server, 'POST', path, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.deepEqual([secondary.status, secondary.body.code], [502, 'sonarqube_bad_request']);
      assert.match(secondary.body.detail, /api\/hotspots\/search.*An error has occurred/);
      sonar.failNext('api/issues/search', 400);
      const refused = await call(server, 'POST', path, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.deepEqual([refused.status, refused.body.code], [502, 'sonarqube_bad_request']);
      sonar.failNext('api/measures/component', 403);
      const forbidden = await call(server, 'POST', path, server.tokens.admin, { projectKey: PROJECT_KEY });
      assert.deepEqual([forbidden.status, forbidden.body.code], [502, 'sonarqube_unauthorized']);
      assert.match(forbidden.body.detail, /Browse permission/);
      const branch = await call(server, 'POST', path, server.tokens.admin, { projectKey: 'no-such-project', branch: 'feature/x' });
      assert.deepEqual([branch.status, branch.body.code], [404, 'sonarqube_project_not_found']);
      assert.match(branch.body.detail, /Component key 'no-such-project' not found/);
    });

    it('lets only administrators import through a connection', async () => {
      const connection = await connect(sonar.url);
      const path = `/api/orgs/${server.orgId}/integrations/sonarqube/${connection.id}/import`;
      assert.equal((await call(server, 'POST', path, undefined, { projectKey: PROJECT_KEY })).status, 401);
      assert.equal((await call(server, 'POST', path, server.tokens.upload, { projectKey: PROJECT_KEY })).status, 403);
      const other = await server.addOrganization('Other');
      assert.equal((await call(server, 'POST', `/api/orgs/${other.orgId}/integrations/sonarqube/${connection.id}/import`, other.adminToken, { projectKey: PROJECT_KEY })).status, 404);
    });
  });
}
