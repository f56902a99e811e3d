import type { SonarProject } from './sonar-stand-in.js';

/** Security rules of the generated project and SonarQube's standards for them (as its rule index holds them). */
const RULES: Record<string, string[]> = {
  'java:S3649': ['cwe:89', 'cwe:943', 'owaspTop10-2021:a3', 'owaspTop10:a1'],
  'javascript:S5131': ['cwe:79', 'cwe:80', 'owaspTop10-2021:a3'],
  'java:S5144': ['cwe:918', 'owaspTop10-2021:a10'],
  'java:S4423': ['cwe:327', 'owaspTop10-2021:a2', 'owaspTop10-2021:a7'],
  'java:S2083': ['cwe:22', 'owaspTop10-2021:a1', 'owaspTop10-2021:a3'],
  'java:S5145': ['cwe:117', 'owaspTop10-2021:a9'],
  'python:S5659': ['cwe:347', 'owaspTop10-2021:a2'],
  'java:S6096': [],
  'java:S2259': ['cwe:476'],
  'java:S2077': ['cwe:89', 'owaspTop10-2021:a3'],
  'java:S4502': ['cwe:352', 'owaspTop10-2021:a1'],
  'java:S2245': ['cwe:338', 'cwe:330', 'owaspTop10-2021:a2'],
};
const VULNERABILITY_RULES = ['java:S3649', 'javascript:S5131', 'java:S5144', 'java:S4423', 'java:S2083', 'java:S5145', 'python:S5659', 'java:S6096'];
const HOTSPOT_RULES = ['java:S2077', 'java:S4502', 'java:S2245'];
const SEVERITIES = [['MINOR', 'LOW'], ['MAJOR', 'MEDIUM'], ['CRITICAL', 'HIGH'], ['BLOCKER', 'BLOCKER']] as const;

export interface GeneratedOptions {
  openVulnerabilities: number;
  /** Extra rules (each one vulnerability rule in CWE-79 / A03) to spread findings over, as large projects have. */
  extraRules?: number;
  /** Every issue created at the same second (one analysis, no SCM dates). */
  sameCreationDate?: boolean;
}

/**
 * A project as large as asked: `openVulnerabilities` open ones (OPEN, CONFIRMED, REOPENED in turn), a
 * tenth as many resolved (FIXED, ACCEPTED), as many reliability bugs whose rule carries a CWE
 * (CWE-476), and hotspots in both states. Deterministic: same options, same project.
 */
export function generatedProject(options: GeneratedOptions): SonarProject {
  const rules: Record<string, string[]> = { ...RULES };
  const vulnerabilityRules = [...VULNERABILITY_RULES];
  for (let r = 0; r < (options.extraRules ?? 0); r++) {
    rules[`java:S9${String(r).padStart(3, '0')}`] = ['cwe:79', 'owaspTop10-2021:a3'];
    vulnerabilityRules.push(`java:S9${String(r).padStart(3, '0')}`);
  }
  const key = 'generated';
  const issues: Record<string, unknown>[] = [];
  const created = (n: number) => new Date(Date.UTC(2025, 0, 1) + (options.sameCreationDate ? 0 : n * 60_000)).toISOString().replace(/\.\d{3}Z$/, '+0000');
  const issue = (n: number, rule: string, fields: Record<string, unknown>) => {
    const [severity, impact] = SEVERITIES[n % SEVERITIES.length]!;
    issues.push({
      key: `G-${n}`, rule, severity, component: `${key}:src/F${n % 97}.java`, project: key, line: n % 500 + 1, message: `Finding ${n}`,
      type: 'VULNERABILITY', impacts: [{ softwareQuality: 'SECURITY', severity: impact }], tags: [], creationDate: created(n), ...fields,
    });
  };
  let n = 0;
  for (let i = 0; i < options.openVulnerabilities; i++, n++) {
    const status = ['OPEN', 'CONFIRMED', 'REOPENED'][i % 3]!;
    issue(n, vulnerabilityRules[i % vulnerabilityRules.length]!, { status, issueStatus: status === 'REOPENED' ? 'OPEN' : status });
  }
  const tenth = Math.max(1, Math.floor(options.openVulnerabilities / 10));
  for (let i = 0; i < tenth; i++, n++) {
    const fixed = i % 2 === 0;
    issue(n, VULNERABILITY_RULES[i % VULNERABILITY_RULES.length]!, fixed
      ? { status: 'CLOSED', resolution: 'FIXED', issueStatus: 'FIXED' }
      : { status: 'RESOLVED', resolution: 'WONTFIX', issueStatus: 'ACCEPTED' });
  }
  for (let i = 0; i < tenth; i++, n++) {
    issue(n, 'java:S2259', { type: 'BUG', status: 'OPEN', issueStatus: 'OPEN', impacts: [{ softwareQuality: 'RELIABILITY', severity: 'MEDIUM' }] });
  }
  const hotspots = Array.from({ length: 12 }, (_, h) => ({
    key: `GH-${h}`, component: `${key}:src/H${h}.java`, project: key, securityCategory: 'sql-injection',
    vulnerabilityProbability: ['HIGH', 'MEDIUM', 'LOW'][h % 3], line: h + 1, message: `Hotspot ${h}`, ruleKey: HOTSPOT_RULES[h % 3],
    creationDate: created(h), updateDate: created(h),
    ...(h % 4 === 0 ? { status: 'TO_REVIEW' } : { status: 'REVIEWED', resolution: ['SAFE', 'ACKNOWLEDGED', 'FIXED'][h % 4 - 1] }),
  }));
  return {
    key, name: 'Generated', issues, hotspots, ruleStandards: rules,
    measures: [
      { metric: 'security_rating', value: '5.0' }, { metric: 'vulnerabilities', value: String(options.openVulnerabilities) },
      { metric: 'software_quality_security_rating', value: '5.0' }, { metric: 'software_quality_security_issues', value: String(options.openVulnerabilities) },
    ],
    analyses: [{ key: 'G-analysis', date: '2025-03-14T09:30:00+0100', projectVersion: '5.0.0', events: [] }],
  };
}
