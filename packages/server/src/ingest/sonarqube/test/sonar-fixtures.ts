/**
 * A SonarQube 10.6 project as its Web API returns it (real field names), small enough to check by
 * hand. Expected reports, computed by hand from these fixtures:
 *
 * Open vulnerabilities (resolved=false, SECURITY impact): I1 SQLi MAJOR, I2 XSS MAJOR, I3 SSRF MINOR,
 * I4 weak TLS CRITICAL, I6 log injection MINOR, I7 unverified JWT CRITICAL. I5 (path traversal) is
 * ACCEPTED (resolved), I8 is a reliability bug: SonarQube leaves both out of the query.
 *
 * CWE Top 25 (2024): CWE-89 {I1}, CWE-79 {I2}, CWE-918 {I3} → 3 vulnerabilities; they do not cover
 *   all 6 open ones, so the rating comes from them: worst MAJOR → C.
 * OWASP Top 10 (2021): A02 {I4, I7}, A03 {I1, I2}, A07 {I4}, A09 {I6}, A10 {I3} → 6 (I4 once);
 *   every open vulnerability is covered and the vulnerabilities measure is 6, so the
 *   security_rating measure applies: 4.0 → D (the findings agree: worst CRITICAL → D).
 * Hotspots listed: H1 (CWE-89, A03), H2 (CWE-352, A01), H4 acknowledged (CWE-200, A02); H3 is SAFE.
 */
export const PROJECT_KEY = 'acme-shop';
export const PROJECT_NAME = 'ACME Shop';
export const ANALYSIS_DATE = '2025-03-14T09:30:00+0100';
export const EXPECTED_DATE = '2025-03-14T08:30:00.000Z';

const sec = (severity: string) => [{ softwareQuality: 'SECURITY', severity }];
const issue = (n: number, rule: string, severity: string, impact: string, message: string, extra: Record<string, unknown> = {}) => ({
  key: `AY-issue-${n}`, rule, severity, component: `${PROJECT_KEY}:src/main/java/com/acme/File${n}.java`, project: PROJECT_KEY,
  line: 10 * n, message, type: 'VULNERABILITY', status: 'OPEN', issueStatus: 'OPEN', impacts: sec(impact), tags: ['cwe'], ...extra,
});

export const ISSUES = [
  issue(1, 'java:S3649', 'MAJOR', 'MEDIUM', 'Change this code to not construct SQL queries directly from user-controlled data.'),
  issue(2, 'javascript:S5131', 'MAJOR', 'MEDIUM', 'Change this code to not reflect user-controlled data.'),
  issue(3, 'java:S5144', 'MINOR', 'LOW', 'Change this code to not construct the URL from user-controlled data.', { status: 'CONFIRMED', issueStatus: 'CONFIRMED' }),
  issue(4, 'java:S4423', 'CRITICAL', 'HIGH', 'Change this code to use a stronger protocol.'),
  issue(5, 'java:S2083', 'BLOCKER', 'BLOCKER', 'Change this code to not construct the path from user-controlled data.', { status: 'RESOLVED', resolution: 'WONTFIX', issueStatus: 'ACCEPTED' }),
  issue(6, 'java:S5145', 'MINOR', 'LOW', 'Change this code to not log user-controlled data.'),
  issue(7, 'python:S5659', 'CRITICAL', 'HIGH', "Don't use a JWT token without verifying its signature."),
  issue(8, 'java:S2259', 'MAJOR', 'MEDIUM', 'A "NullPointerException" could be thrown.', { type: 'BUG', impacts: [{ softwareQuality: 'RELIABILITY', severity: 'MEDIUM' }] }),
];

const hotspot = (n: number, ruleKey: string, securityCategory: string, vulnerabilityProbability: string, status: string, resolution?: string) => ({
  key: `AY-hotspot-${n}`, component: `${PROJECT_KEY}:src/main/java/com/acme/Hot${n}.java`, project: PROJECT_KEY, securityCategory,
  vulnerabilityProbability, status, ...(resolution ? { resolution } : {}), line: n, message: `Review hotspot ${n}.`, ruleKey,
  creationDate: '2025-03-01T10:00:00+0100', updateDate: '2025-03-14T09:30:00+0100',
});

export const HOTSPOTS = [
  hotspot(1, 'java:S2077', 'sql-injection', 'HIGH', 'TO_REVIEW'),
  hotspot(2, 'java:S4502', 'csrf', 'HIGH', 'TO_REVIEW'),
  hotspot(3, 'java:S2245', 'weak-cryptography', 'MEDIUM', 'REVIEWED', 'SAFE'),
  hotspot(4, 'javascript:S5332', 'encrypt-data', 'LOW', 'REVIEWED', 'ACKNOWLEDGED'),
];

/** The stand-in's rule index: the security standards SonarQube holds per rule, served only as the cwe / owaspTop10-2021 filters and facets (owaspTop10 without a year is the 2017 edition). */
export const RULE_STANDARDS: Record<string, string[]> = {
  'java:S3649': ['cwe:89', 'cwe:943', 'owaspTop10-2021:a3', 'owaspTop10:a1'],
  'javascript:S5131': ['cwe:79', 'cwe:80', 'owaspTop10-2021:a3', 'owaspTop10:a7'],
  'java:S5144': ['cwe:918', 'owaspTop10-2021:a10'],
  'java:S4423': ['cwe:327', 'owaspTop10-2021:a2', 'owaspTop10-2021:a7'],
  'java:S2083': ['cwe:22', 'owaspTop10-2021:a1', 'owaspTop10-2021:a3'],
  'java:S5145': ['cwe:117', 'owaspTop10-2021:a9'],
  'python:S5659': ['cwe:347', 'owaspTop10-2021:a2'],
  'java:S2259': ['cwe:476'],
  'java:S2077': ['cwe:89', 'owaspTop10-2021:a3'],
  'java:S4502': ['cwe:352', 'owaspTop10-2021:a1'],
  'java:S2245': ['cwe:338', 'cwe:330', 'owaspTop10-2021:a2'],
  'javascript:S5332': ['cwe:319', 'cwe:200', 'owaspTop10-2021:a2'],
};

export const MEASURES = [
  { metric: 'security_rating', value: '4.0', bestValue: false },
  { metric: 'vulnerabilities', value: '6', bestValue: false },
  { metric: 'security_hotspots', value: '3', bestValue: false },
  { metric: 'security_review_rating', value: '5.0', bestValue: false },
  // MQR mode's measures of the same (10.8+).
  { metric: 'software_quality_security_rating', value: '4.0', bestValue: false },
  { metric: 'software_quality_security_issues', value: '6', bestValue: false },
];

export const ANALYSES = [
  { key: 'AZ-analysis-2', date: ANALYSIS_DATE, projectVersion: '2.4.1', revision: 'c739069ec7105e01303e8b3065a81141aad9f129', events: [] },
  { key: 'AZ-analysis-1', date: '2025-03-10T16:00:00+0100', projectVersion: '2.4.0', events: [] },
];
