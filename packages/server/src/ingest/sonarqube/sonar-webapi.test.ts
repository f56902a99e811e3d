import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectAnalysis } from './collect-analysis.js';
import { buildSecurityReports, renderHtml } from './report/index.js';
import { MAX_RESULTS } from './search-all.js';
import { SonarApi } from './sonar-api.js';
import { expectedCounts } from './test/expected-counts.js';
import { generatedProject } from './test/generated-project.js';
import { startSonarStandIn, type StandIn } from './test/sonar-stand-in.js';
import { assertInsideDescription, outsideDescription, readsOutsideDescription, recordReads, WEB_API } from './test/sonar-webapi.js';

const TOKEN = 'squ_webapi_test_token';
const get = async (sonar: StandIn, path: string) => {
  const response = await fetch(`${sonar.url}/${path}`, { headers: { authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` } });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
};

describe('SonarQube stand-in refuses what SonarQube refuses (webapi/sonarqube-webapi.json)', () => {
  let sonar: StandIn;
  before(async () => void (sonar = await startSonarStandIn({ token: TOKEN })));
  after(() => sonar.close());

  it('answers the messages of SonarQube\'s WebService framework', async () => {
    assert.deepEqual(await get(sonar, 'api/rules/securityStandards'), { status: 404, body: { errors: [{ msg: 'Unknown url : /api/rules/securityStandards' }] } });
    const invented = await get(sonar, 'api/rules/search?rule_key=java:S3649&f=securityStandards');
    assert.equal(invented.status, 400);
    assert.match(invented.body.errors[0].msg, /^Value of parameter 'f' \(securityStandards\) must be one of: \[repo, name, createdAt, /);
    assert.deepEqual(await get(sonar, 'api/issues/search?ps=501'), { status: 400, body: { errors: [{ msg: "'ps' value (501) must be less than 500" }] } });
    assert.deepEqual(await get(sonar, 'api/issues/search?p=21&ps=500'), { status: 400, body: { errors: [{ msg: 'Can return only the first 10000 results. 10500th result asked.' }] } });
    assert.deepEqual(await get(sonar, 'api/hotspots/search?project=nope'), { status: 404, body: { errors: [{ msg: "Project 'nope' not found" }] } });
    assert.deepEqual(await get(sonar, 'api/measures/component?component=nope&metricKeys=security_rating'), { status: 404, body: { errors: [{ msg: "Component key 'nope' not found" }] } });
    assert.equal((await get(sonar, 'api/issues/search?owaspTop10-2021=A03')).status, 400, 'categories are lowercase a1..a10');
  });

  it('answers only the fields the protobuf messages define', async () => {
    const { body } = await get(sonar, 'api/rules/search?cwe=89&f=repo');
    assert.ok(body.rules.length > 0);
    for (const rule of body.rules) assert.deepEqual(Object.keys(rule).sort(), ['key', 'name', 'repo'], 'no securityStandards: ws-rules.proto has none');
  });

  it('names what a request has outside the description', () => {
    assert.match(outsideDescription('api/rules/search', new URLSearchParams({ f: 'securityStandards' }), '10.6')!, /no value 'securityStandards'/);
    assert.match(outsideDescription('api/rules/search', new URLSearchParams({ rule_key: 'x' }), '10.6')!, /no parameter 'rule_key'/);
    assert.match(outsideDescription('api/issues/search', new URLSearchParams({ issueStatuses: 'OPEN' }), '9.9.8')!, /only since SonarQube 10.4/);
    assert.equal(outsideDescription('api/issues/search', new URLSearchParams({ components: 'k', issueStatuses: 'OPEN,CONFIRMED' }), '10.6'), undefined);
    assert.ok(WEB_API.actions['api/issues/search']!.upstream.includes('SearchAction.java'));
  });
});

describe('SonarQube import counts what SonarQube\'s filters and facets count, on every version', () => {
  // Two pages of open vulnerabilities (ps=500), resolved ones, bugs whose rule has a CWE, hotspots in both states.
  for (const [version, mqr] of [['9.9.8.100196', false], ['10.3.0.82913', false], ['10.7.0.96327', false], ['2025.1.0.102418', false], ['2025.1.0.102418', true]] as const) {
    it(`SonarQube ${version}${mqr ? ' in MQR mode' : version.startsWith('2025') ? ' in Standard Experience' : ''}`, async () => {
      const project = generatedProject({ openVulnerabilities: 700 });
      // MQR mode counts security impacts: a code smell with one is a vulnerability there, not in Standard Experience.
      project.issues.push({ ...project.issues[0]!, key: 'G-smell', type: 'CODE_SMELL', rule: 'java:S3649' });
      const sonar = await startSonarStandIn({ token: TOKEN, version, project, mqr });
      try {
        const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: TOKEN }), { projectKey: project.key });
        assertInsideDescription(sonar.requests, version);
        assert.ok(sonar.requests.filter((r) => r.path === 'api/issues/search').length >= 2, 'two pages of issues');
        const reports = buildSecurityReports(collected.input);
        const expected = await expectedCounts(sonar, project.key);
        for (const report of reports) {
          assert.equal(report.vulnerabilitiesCount, expected.total[report.reportType], report.reportType);
          for (const category of report.categories) assert.equal(category.vulnerabilities.length, expected.perCategory[category.id] ?? 0, category.id);
          assert.deepEqual(report.unread, []);
        }
        assert.equal(collected.input.findings.some((f) => f.key === 'G-smell'), mqr, 'the code smell with a SECURITY impact counts in MQR mode only');
        const metricKeys = sonar.requests.find((r) => r.path === 'api/measures/component')!.params.get('metricKeys')!;
        assert.equal(metricKeys.includes('software_quality_security_rating'), mqr, 'the mode\'s own rating measure is read');
        assert.equal(collected.input.measures?.find((m) => m.metric === 'security_rating')?.value, '5.0');
        // Hotspots: to review and acknowledged are listed; each with its rule's categories.
        const a03 = reports[1].categories.find((c) => c.id === 'A03')!;
        const reviewable = project.hotspots.filter((h) => h.ruleKey === 'java:S2077' && (h.status === 'TO_REVIEW' || h.resolution === 'ACKNOWLEDGED'));
        assert.equal(a03.hotspots.length, reviewable.length);
        assert.ok(reviewable.length > 0);
      } finally {
        await sonar.close();
      }
    });
  }

  it('reads only fields the description (the protobuf messages) has', async () => {
    const project = generatedProject({ openVulnerabilities: 40 });
    for (const [version, mqr] of [['9.6.1.59531', false], ['10.7.0.96327', false], ['2025.1.0.102418', true]] as const) {
      const sonar = await startSonarStandIn({ token: TOKEN, version, project, mqr });
      const reads = new Map<string, Set<string>>();
      class RecordingApi extends SonarApi {
        override async json<T>(path: string, params?: Record<string, string | number | undefined>): Promise<T> {
          const fields = reads.get(path) ?? new Set<string>();
          reads.set(path, fields);
          return recordReads(await super.json<T>(path, params), '', fields) as T;
        }
      }
      try {
        await collectAnalysis(new RecordingApi({ baseUrl: sonar.url, token: TOKEN }), { projectKey: project.key });
        assert.deepEqual(readsOutsideDescription(reads), [], version);
        assert.ok(reads.get('api/issues/search')?.has('issues[].rule'), 'the recorder sees what is read');
        // The check bites: a read of a field SonarQube does not send is named.
        assert.deepEqual(readsOutsideDescription(new Map([['api/rules/search', new Set(['rules[].securityStandards'])]])), ['api/rules/search: rules[].securityStandards']);
      } finally {
        await sonar.close();
      }
    }
  });

  it('reads a hotspot\'s rule from api/hotspots/show where api/hotspots/search has no ruleKey (before 9.7)', async () => {
    const project = generatedProject({ openVulnerabilities: 3 });
    const sonar = await startSonarStandIn({ token: TOKEN, version: '9.6.1.59531', project });
    try {
      const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: TOKEN }), { projectKey: project.key });
      assert.equal(sonar.requests.filter((r) => r.path === 'api/hotspots/show').length, project.hotspots.length);
      assert.deepEqual(collected.input.hotspots.map((h) => h.ruleKey), project.hotspots.map((h) => h.ruleKey));
      assertInsideDescription(sonar.requests, '9.6.1.59531');
    } finally {
      await sonar.close();
    }
  });
});

describe(`SonarQube import past ${MAX_RESULTS} results`, () => {
  it('imports 30 000 open vulnerabilities whole, split by rule, at most one request per 450 findings plus a constant', async () => {
    const project = generatedProject({ openVulnerabilities: 30_000, extraRules: 40 });
    const sonar = await startSonarStandIn({ token: TOKEN, project });
    try {
      const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: TOKEN }), { projectKey: project.key });
      assert.equal(new Set(collected.input.findings.map((f) => f.key)).size, 30_000);
      assert.equal(collected.input.unread, undefined);
      assertInsideDescription(sonar.requests, sonar.version);
      assert.ok(sonar.requests.length <= 30_000 / 450 + 45, `${sonar.requests.length} requests`);
    } finally {
      await sonar.close();
    }
  });

  it('splits one rule above 10 000 by creation date, and names what one second holds past 10 000', async () => {
    const spread = generatedProject({ openVulnerabilities: 12_000 });
    for (const issue of spread.issues) if ((issue as { status: string }).status !== 'CLOSED') (issue as { rule: string }).rule = 'java:S3649';
    const sonar = await startSonarStandIn({ token: TOKEN, project: spread });
    try {
      const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: TOKEN }), { projectKey: spread.key });
      assert.equal(new Set(collected.input.findings.map((f) => f.key)).size, 12_000);
      assert.equal(collected.input.unread, undefined);
      assert.ok(sonar.requests.some((r) => r.params.has('createdBefore')));
      assertInsideDescription(sonar.requests, sonar.version);
    } finally {
      await sonar.close();
    }
    const burst = generatedProject({ openVulnerabilities: 10_600, sameCreationDate: true });
    for (const issue of burst.issues) (issue as { rule: string }).rule = 'java:S3649';
    const one = await startSonarStandIn({ token: TOKEN, project: burst });
    try {
      const collected = await collectAnalysis(new SonarApi({ baseUrl: one.url, token: TOKEN }), { projectKey: burst.key });
      assert.equal(collected.input.findings.length, MAX_RESULTS);
      assert.match(collected.input.unread!.join(), /600 results of rule java:S3649 created at 2025-01-01T00:00:00\+0000/);
      const [cwe] = buildSecurityReports(collected.input);
      assert.deepEqual(cwe.unread, collected.input.unread, 'the report says it is incomplete');
      assert.match(renderHtml(cwe), /Incomplete:<\/strong> SonarQube counted findings it could not serve: vulnerabilities: 600 results of rule java:S3649/);
    } finally {
      await one.close();
    }
  });
});
