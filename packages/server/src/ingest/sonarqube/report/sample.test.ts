import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSecurityReports } from './build.js';
import { cweId, owaspTop10Id } from './categories.js';
import { sampleFindings } from './sample.js';

test('the same seed gives the same findings; another seed, others', () => {
  assert.deepEqual(sampleFindings('Shop@1.2.0'), sampleFindings('Shop@1.2.0'));
  assert.notDeepEqual(sampleFindings('Shop@1.2.0', { findings: 5 }), sampleFindings('Shop@1.3.0', { findings: 5 }));
});

test('counts can be fixed; components carry the project key', () => {
  const { findings, hotspots } = sampleFindings(7, { projectKey: 'acme-shop', findings: 120, hotspots: 30 });
  assert.equal(findings.length, 120);
  assert.equal(hotspots.length, 30);
  for (const item of [...findings, ...hotspots]) assert.match(item.component, /^acme-shop:[\w/.-]+$/);
  assert.equal(new Set([...findings, ...hotspots].map((f) => f.key)).size, 150, 'keys are unique');
});

test('findings look like SonarQube output and map to the standards', () => {
  const { findings, hotspots } = sampleFindings('Payments@2.0.0', { findings: 200, hotspots: 50 });
  for (const f of findings) {
    assert.match(f.rule, /^(java|javascript|python):S\d+$/);
    assert.equal(f.type, 'VULNERABILITY');
    assert.equal(f.impacts?.[0]?.softwareQuality, 'SECURITY');
    assert.ok(f.cwe.length > 0 && f.cwe.every((c) => cweId(c)));
    assert.ok(f.owaspTop10_2021.length > 0 && f.owaspTop10_2021.every((a) => owaspTop10Id(a)));
    assert.ok(Number.isInteger(f.line) && f.message.length > 0);
  }
  for (const h of hotspots) assert.match(h.ruleKey ?? '', /^(java|javascript|python):S\d+$/);
  const statuses = new Set(findings.map((f) => f.issueStatus));
  assert.ok(statuses.has('OPEN') && statuses.size > 2, 'a mix of open and resolved issues');
});

test('demo reports vary: not every project gets the same rating', () => {
  const ratings = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const [cwe] = buildSecurityReports({
      projectName: `P${i}`, projectVersion: '1.0.0', analysisDate: '2025-01-01T00:00:00Z', ...sampleFindings(`P${i}@1.0.0`),
    });
    ratings.add(cwe.securityRating);
  }
  assert.ok(ratings.size >= 3, [...ratings].join());
});
