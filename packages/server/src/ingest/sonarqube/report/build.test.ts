import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../../http/errors.js';
import { buildSecurityReports } from './build.js';
import type { Finding, Hotspot, Measure, SecurityReportInput } from './model.js';

const finding = (key: string, fields: Partial<Finding>): Finding => ({
  key, rule: 'java:S0000', component: 'shop:src/Main.java', line: 1, message: key, cwe: [], owaspTop10_2021: [], ...fields,
});
const hotspot = (key: string, fields: Partial<Hotspot>): Hotspot => ({
  key, component: 'shop:src/Main.java', securityCategory: 'others', vulnerabilityProbability: 'LOW', status: 'TO_REVIEW',
  message: key, cwe: [], owaspTop10_2021: [], ...fields,
});

/*
 * Hand-computed expectations:
 *   open vulnerabilities: cmd (C), path (D), crypto (E, OWASP only), log (B, OWASP only) = 4
 *   CWE Top 25:  cmd in CWE-78 and CWE-77 (counted once), path in CWE-22 → 2, worst D
 *   OWASP Top 10: path in A01 and A03, cmd in A03, crypto in A02, log in A09 → 4, worst E
 */
const findings: Finding[] = [
  finding('cmd', { type: 'VULNERABILITY', severity: 'MAJOR', issueStatus: 'OPEN', cwe: ['78', '77'], owaspTop10_2021: ['a3'] }),
  finding('cmd', { type: 'VULNERABILITY', severity: 'BLOCKER', issueStatus: 'OPEN', cwe: ['78'] }), // same key: ignored
  finding('path', {
    type: 'VULNERABILITY', severity: 'CRITICAL', impacts: [{ softwareQuality: 'SECURITY', severity: 'HIGH' }],
    status: 'OPEN', cwe: ['cwe:22'], owaspTop10_2021: ['a1', 'owaspTop10-2021:a3'],
  }),
  finding('crypto', { impacts: [{ softwareQuality: 'SECURITY', severity: 'BLOCKER' }], issueStatus: 'CONFIRMED', cwe: ['327'], owaspTop10_2021: ['a2'] }),
  finding('log', { type: 'VULNERABILITY', severity: 'MINOR', status: 'REOPENED', cwe: ['117'], owaspTop10_2021: ['a9'] }),
  finding('xss-fixed', { type: 'VULNERABILITY', severity: 'BLOCKER', issueStatus: 'FIXED', status: 'CLOSED', cwe: ['79'], owaspTop10_2021: ['a3'] }),
  finding('xss-accepted', { type: 'VULNERABILITY', severity: 'BLOCKER', issueStatus: 'ACCEPTED', status: 'RESOLVED', resolution: 'WONTFIX', cwe: ['79'] }),
  finding('sqli-fp', { type: 'VULNERABILITY', severity: 'BLOCKER', status: 'RESOLVED', resolution: 'FALSE-POSITIVE', cwe: ['89'] }),
  finding('npe-bug', { type: 'BUG', severity: 'BLOCKER', impacts: [{ softwareQuality: 'RELIABILITY', severity: 'HIGH' }], cwe: ['476'] }),
];
const hotspots: Hotspot[] = [
  hotspot('sql-hotspot', { vulnerabilityProbability: 'HIGH', cwe: ['89'], owaspTop10_2021: ['a3'] }),
  hotspot('csrf-acknowledged', { status: 'REVIEWED', resolution: 'ACKNOWLEDGED', cwe: ['352'], owaspTop10_2021: ['a1'] }),
  hotspot('xss-safe', { status: 'REVIEWED', resolution: 'SAFE', cwe: ['79'], owaspTop10_2021: ['a3'] }),
];
const input = (measures?: Measure[]): SecurityReportInput => ({
  projectName: 'Shop', projectVersion: '1.2.0', analysisDate: '2025-03-01T12:00:00+0100', findings, hotspots, measures,
});
const category = (report: { categories: { id: string; vulnerabilities: Finding[]; hotspots: Hotspot[] }[] }, id: string) => {
  const found = report.categories.find((c) => c.id === id);
  assert.ok(found, id);
  return { vulnerabilities: found.vulnerabilities.map((f) => f.key), hotspots: found.hotspots.map((h) => h.key) };
};

describe('buildSecurityReports', () => {
  const [cwe, owasp] = buildSecurityReports(input());

  test('reports carry the metadata the list API serves', () => {
    assert.deepEqual(
      { ...cwe, categories: undefined },
      { reportType: 'CWE Top 25', reportVersion: 2024, projectName: 'Shop', projectVersion: '1.2.0', date: '2025-03-01T11:00:00.000Z',
        vulnerabilitiesCount: 2, securityRating: 'D', ratingSource: 'findings', categories: undefined, unread: [] },
    );
    assert.equal(owasp.reportType, 'OWASP Top 10');
    assert.equal(owasp.reportVersion, 2021);
    assert.equal(cwe.categories.length, 25);
    assert.equal(owasp.categories.length, 10);
  });

  test('a finding in two categories is listed in both and counted once', () => {
    assert.deepEqual(category(cwe, 'CWE-78').vulnerabilities, ['cmd']);
    assert.deepEqual(category(cwe, 'CWE-77').vulnerabilities, ['cmd']);
    assert.deepEqual(category(owasp, 'A03').vulnerabilities, ['path', 'cmd'], 'worst first: D before C');
    assert.deepEqual(category(owasp, 'A01').vulnerabilities, ['path']);
    assert.equal(cwe.vulnerabilitiesCount, 2);
    assert.equal(owasp.vulnerabilitiesCount, 4);
  });

  test('closed, accepted, false-positive and non-security findings are left out', () => {
    const listed = new Set([cwe, owasp].flatMap((r) => r.categories.flatMap((c) => c.vulnerabilities.map((f) => f.key))));
    assert.deepEqual([...listed].sort(), ['cmd', 'crypto', 'log', 'path']);
  });

  test('hotspots to review or acknowledged are listed but never counted', () => {
    assert.deepEqual(category(cwe, 'CWE-89'), { vulnerabilities: [], hotspots: ['sql-hotspot'] });
    assert.deepEqual(category(cwe, 'CWE-352').hotspots, ['csrf-acknowledged']);
    assert.deepEqual(category(cwe, 'CWE-79'), { vulnerabilities: [], hotspots: [] }, 'SAFE hotspot and fixed XSS dropped');
    assert.deepEqual(category(owasp, 'A03').hotspots, ['sql-hotspot']);
    const [noHotspots] = buildSecurityReports({ ...input(), hotspots: [] });
    assert.equal(noHotspots.vulnerabilitiesCount, cwe.vulnerabilitiesCount);
  });

  test('the rating is the worst open vulnerability of the report', () => {
    assert.equal(cwe.securityRating, 'D'); // path: CRITICAL / HIGH
    assert.equal(owasp.securityRating, 'E'); // crypto: BLOCKER impact
    const [clean, cleanOwasp] = buildSecurityReports({ ...input(), findings: [findings[4]!] });
    assert.equal(clean.securityRating, 'A', 'log is not in the CWE Top 25');
    assert.equal(cleanOwasp.securityRating, 'B');
  });
});

describe('security_rating measure', () => {
  test('is used when the report covers every open vulnerability of the project', () => {
    const [cwe, owasp] = buildSecurityReports(input([{ metric: 'security_rating', value: '2.0' }, { metric: 'vulnerabilities', value: '4' }]));
    assert.equal(owasp.securityRating, 'B');
    assert.equal(owasp.ratingSource, 'measure');
    assert.equal(cwe.securityRating, 'D', 'CWE report misses crypto and log: computed');
    assert.equal(cwe.ratingSource, 'findings');
  });

  test('is used without a vulnerabilities count when all given findings are covered', () => {
    const [, owasp] = buildSecurityReports(input([{ metric: 'security_rating', value: '5.0' }]));
    assert.deepEqual([owasp.securityRating, owasp.ratingSource], ['E', 'measure']);
  });

  test('is ignored when SonarQube counts vulnerabilities the input lacks, or when invalid', () => {
    const [, missing] = buildSecurityReports(input([{ metric: 'security_rating', value: '1.0' }, { metric: 'vulnerabilities', value: '5' }]));
    assert.deepEqual([missing.securityRating, missing.ratingSource], ['E', 'findings']);
    for (const value of ['7.0', 'A', '', undefined]) {
      const [, invalid] = buildSecurityReports(input([{ metric: 'security_rating', value }]));
      assert.deepEqual([invalid.securityRating, invalid.ratingSource], ['E', 'findings'], String(value));
    }
  });
});

test('an analysis date that does not parse is refused with a stable code', () => {
  assert.throws(() => buildSecurityReports({ ...input(), analysisDate: 'yesterday' }),
    (error: unknown) => error instanceof AppError && error.code === 'invalid_parameter');
});
