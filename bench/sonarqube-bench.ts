/**
 * SonarQube import benchmark (issue 10): requests made and time to read an analysis of 1 000 and
 * 30 000 open vulnerabilities from the SonarQube stand-in (packages/server/src/ingest/sonarqube/test)
 * and build both reports (HTML rendered too). Past 10 000 the import splits its queries by rule.
 *
 * Baseline, measured in the same run against the same stand-in: a plain loop of the fewest
 * requests the findings need, ceil(n / 500) pages of the open-vulnerabilities query, each fetched
 * and parsed (pages 1..20 in turn, as no page past 10 000 is served). Ratios compare the two.
 * Targets: at most 1 request per 450 findings plus a constant; 30 000 in at most 60 s.
 *
 *   npm run bench -- sonarqube [--sizes 1000,30000] [--rounds 3]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fetch } from 'undici';
import { collectAnalysis } from '../packages/server/src/ingest/sonarqube/collect-analysis.js';
import { buildSecurityReports, renderHtml } from '../packages/server/src/ingest/sonarqube/report/index.js';
import { forgetRuleCategories } from '../packages/server/src/ingest/sonarqube/security-categories.js';
import { SonarApi } from '../packages/server/src/ingest/sonarqube/sonar-api.js';
import { generatedProject } from '../packages/server/src/ingest/sonarqube/test/generated-project.js';
import { startSonarStandIn } from '../packages/server/src/ingest/sonarqube/test/sonar-stand-in.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,30000' }, rounds: { type: 'string', default: '3' } } });
const TOKEN = 'squ_bench';
const rounds = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => os.loadavg()[0]!.toFixed(1);

console.log('| open vulnerabilities | import: requests | import: time (median) | baseline: requests | baseline: time | time ratio | requests allowed (n/450 + 45) | load |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const size of values.sizes!.split(',').map(Number)) {
  // 40 extra rules: a project this large spreads its findings over many rules, as real ones do.
  const project = generatedProject({ openVulnerabilities: size, extraRules: 40 });
  const sonar = await startSonarStandIn({ token: TOKEN, project });
  const authorization = `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`;
  try {
    const imported: number[] = [];
    const plain: number[] = [];
    let requests = 0;
    let baselineRequests = 0;
    for (let round = 0; round < rounds; round++) {
      forgetRuleCategories();
      const before = sonar.requests.length;
      let started = performance.now();
      const collected = await collectAnalysis(new SonarApi({ baseUrl: sonar.url, token: TOKEN }), { projectKey: project.key });
      for (const report of buildSecurityReports(collected.input)) renderHtml(report);
      imported.push(performance.now() - started);
      requests = sonar.requests.length - before;
      if (new Set(collected.input.findings.map((f) => f.key)).size !== size) throw new Error(`read ${collected.input.findings.length} of ${size}`);
      // Baseline: as many pages of 500 as the findings need, each a real request of the same query
      // (pages 1..20 in turn: SonarQube serves no page past 10 000), parsed and nothing else.
      started = performance.now();
      baselineRequests = Math.ceil(size / 500);
      for (let i = 0; i < baselineRequests; i++) {
        const url = `${sonar.url}/api/issues/search?components=${project.key}&issueStatuses=OPEN,CONFIRMED&types=VULNERABILITY&p=${(i % 20) + 1}&ps=500`;
        JSON.parse(await (await fetch(url, { headers: { authorization } })).text());
      }
      plain.push(performance.now() - started);
    }
    const t = median(imported);
    const b = median(plain);
    console.log(`| ${size} | ${requests} | ${(t / 1000).toFixed(2)} s | ${baselineRequests} | ${(b / 1000).toFixed(2)} s | ${(t / b).toFixed(2)} | ${Math.floor(size / 450 + 45)} | ${load()} |`);
  } finally {
    await sonar.close();
  }
}
