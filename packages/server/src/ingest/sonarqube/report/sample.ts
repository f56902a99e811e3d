import type { Finding, Hotspot, ImpactSeverity, LegacySeverity } from './model.js';

/*
 * Believable demo data: real SonarQube security rules with their usual messages, CWE and OWASP
 * mappings. The same seed always gives the same findings (no clock, no Math.random), so demo
 * reports are stable between runs. Use `${projectName}@${projectVersion}` as the seed.
 */

type VulnerabilityRule = [rule: string, severity: LegacySeverity, cwe: string[], owasp: string[], message: string];
type HotspotRule = [rule: string, probability: Hotspot['vulnerabilityProbability'], category: string, cwe: string[], owasp: string[], message: string];

const VULNERABILITY_RULES: VulnerabilityRule[] = [
  ['javascript:S5131', 'BLOCKER', ['79'], ['a3'], 'Change this code to not reflect user-controlled data.'],
  ['java:S3649', 'BLOCKER', ['89'], ['a3'], 'Change this code to not construct SQL queries directly from user-controlled data.'],
  ['java:S2076', 'BLOCKER', ['78', '77'], ['a3'], 'Change this code to not construct the OS command from user-controlled data.'],
  ['java:S2083', 'BLOCKER', ['22', '23'], ['a1', 'a3'], 'Change this code to not construct the path from user-controlled data.'],
  ['java:S5144', 'MAJOR', ['918'], ['a10'], 'Change this code to not construct the URL from user-controlled data.'],
  ['java:S5135', 'BLOCKER', ['502'], ['a8'], 'Change this code to not deserialize user-controlled data.'],
  ['javascript:S5334', 'BLOCKER', ['94', '95'], ['a3'], 'Change this code to not dynamically execute code influenced by user-controlled data.'],
  ['java:S6437', 'BLOCKER', ['798', '259'], ['a7'], 'Revoke and change this password, as it is compromised.'],
  ['python:S5659', 'CRITICAL', ['347'], ['a2'], "Don't use a JWT token without verifying its signature."],
  ['java:S4423', 'CRITICAL', ['327'], ['a2', 'a7'], 'Change this code to use a stronger protocol.'],
  ['java:S5547', 'CRITICAL', ['327'], ['a2'], 'Use a strong cipher algorithm.'],
  ['java:S4830', 'CRITICAL', ['295'], ['a2', 'a7'], 'Enable server certificate validation on this SSL/TLS connection.'],
  ['javascript:S5146', 'MAJOR', ['601'], ['a1'], 'Change this code to not perform redirects based on user-controlled data.'],
  ['java:S2755', 'BLOCKER', ['611', '827'], ['a5'], 'Disable access to external entities in XML parsing.'],
  ['java:S5145', 'MINOR', ['117'], ['a9'], 'Change this code to not log user-controlled data.'],
];

const HOTSPOT_RULES: HotspotRule[] = [
  ['java:S2077', 'HIGH', 'sql-injection', ['89'], ['a3'], 'Make sure using a dynamically formatted SQL query is safe here.'],
  ['java:S4502', 'HIGH', 'csrf', ['352'], ['a1'], "Make sure disabling Spring Security's CSRF protection is safe here."],
  ['javascript:S2068', 'HIGH', 'auth', ['798', '259'], ['a7'], '"password" detected here, make sure this is not a hard-coded credential.'],
  ['java:S2245', 'MEDIUM', 'weak-cryptography', ['338', '330'], ['a2'], 'Make sure that using this pseudorandom number generator is safe here.'],
  ['javascript:S4790', 'LOW', 'weak-cryptography', ['328', '327', '916'], ['a2'], 'Make sure this weak hash algorithm is not used in a sensitive context here.'],
  ['javascript:S5332', 'LOW', 'encrypt-data', ['319', '200'], ['a2'], 'Using http protocol is insecure. Use https instead.'],
  ['javascript:S5122', 'LOW', 'insecure-conf', ['346', '942'], ['a5', 'a7'], 'Make sure that enabling CORS is safe here.'],
  ['java:S4507', 'LOW', 'insecure-conf', ['489', '215'], ['a5'], 'Make sure this debug feature is deactivated before delivering the code in production.'],
  ['java:S5042', 'LOW', 'dos', ['409', '400'], ['a5'], 'Make sure that expanding this archive file is safe here.'],
  ['java:S4036', 'LOW', 'command-injection', ['426', '427'], ['a8'], 'Make sure the "PATH" used to find this command includes only what you intend.'],
];

const FILES: Record<string, string[]> = {
  java: ['src/main/java/com/acme/web/UserController.java', 'src/main/java/com/acme/web/ReportController.java',
    'src/main/java/com/acme/service/ExportService.java', 'src/main/java/com/acme/repo/OrderRepository.java',
    'src/main/java/com/acme/security/TlsConfig.java', 'src/main/java/com/acme/io/ArchiveImporter.java'],
  javascript: ['src/server/routes/search.js', 'src/server/routes/login.js', 'src/server/render.js', 'src/client/app.js'],
  python: ['app/auth/tokens.py', 'app/views/account.py'],
};

/** Files in the rule's language: "java:S2076" → Java sources. */
const filesFor = (rule: string): string[] => FILES[rule.slice(0, rule.indexOf(':'))] ?? ['src/main.c'];

const IMPACT: Readonly<Record<LegacySeverity, ImpactSeverity>> = {
  BLOCKER: 'BLOCKER', CRITICAL: 'HIGH', MAJOR: 'MEDIUM', MINOR: 'LOW', INFO: 'INFO',
};
// [issueStatus, status, resolution], weighted towards open issues as in a live project.
const LIFECYCLE: [Finding['issueStatus'], Finding['status'], Finding['resolution'], number][] = [
  ['OPEN', 'OPEN', undefined, 0.7], ['CONFIRMED', 'CONFIRMED', undefined, 0.1], ['ACCEPTED', 'RESOLVED', 'WONTFIX', 0.07],
  ['FIXED', 'CLOSED', 'FIXED', 0.07], ['FALSE_POSITIVE', 'RESOLVED', 'FALSE-POSITIVE', 0.06],
];
const REVIEWS: [Hotspot['status'], Hotspot['resolution'], number][] = [
  ['TO_REVIEW', undefined, 0.7], ['REVIEWED', 'ACKNOWLEDGED', 0.1], ['REVIEWED', 'SAFE', 0.1], ['REVIEWED', 'FIXED', 0.1],
];

export interface SampleOptions {
  /** Prefix of component keys ("<projectKey>:<path>"). Default "demo". */
  projectKey?: string;
  /** How many findings / hotspots; by default chosen from the seed (sometimes none: a clean project). */
  findings?: number;
  hotspots?: number;
}

export function sampleFindings(seed: string | number, options: SampleOptions = {}): { findings: Finding[]; hotspots: Hotspot[] } {
  const random = mulberry32(fnv1a(String(seed)));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const weighted = <T extends readonly unknown[]>(rows: readonly T[]): T => {
    let r = random();
    for (const row of rows) if ((r -= row[row.length - 1] as number) < 0) return row;
    return rows[0] as T;
  };
  const component = (rule: string) => `${options.projectKey ?? 'demo'}:${pick(filesFor(rule))}`;
  const key = () => `AY${Array.from({ length: 18 }, () => pick(KEY_ALPHABET)).join('')}`;
  // Each project trips over a few rules, not all of them: that keeps ratings varied across demos.
  const rules = VULNERABILITY_RULES.filter(() => random() < 0.35);
  const findingCount = options.findings ?? (random() < 0.15 || rules.length === 0 ? 0 : 1 + Math.floor(random() * 40));
  const hotspotCount = options.hotspots ?? Math.floor(random() * 13);
  const findings = Array.from({ length: findingCount }, (): Finding => {
    const [rule, severity, cwe, owasp, message] = pick(rules.length > 0 ? rules : VULNERABILITY_RULES);
    const [issueStatus, status, resolution] = weighted(LIFECYCLE);
    return {
      key: key(), rule, severity, impacts: [{ softwareQuality: 'SECURITY', severity: IMPACT[severity] }],
      component: component(rule), line: 1 + Math.floor(random() * 600), message, status, issueStatus,
      ...(resolution ? { resolution } : {}), type: 'VULNERABILITY', tags: ['cwe', ...owasp.map((a) => `owasp-${a}`)],
      cwe: [...cwe], owaspTop10_2021: [...owasp],
    };
  });
  const hotspots = Array.from({ length: hotspotCount }, (): Hotspot => {
    const [ruleKey, vulnerabilityProbability, securityCategory, cwe, owasp, message] = pick(HOTSPOT_RULES);
    const [status, resolution] = weighted(REVIEWS);
    return {
      key: key(), ruleKey, component: component(ruleKey), line: 1 + Math.floor(random() * 600), message,
      securityCategory, vulnerabilityProbability, status, ...(resolution ? { resolution } : {}),
      cwe: [...cwe], owaspTop10_2021: [...owasp],
    };
  });
  return { findings, hotspots };
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A small, well-known 32-bit PRNG: deterministic for a seed, good enough for demo data. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
