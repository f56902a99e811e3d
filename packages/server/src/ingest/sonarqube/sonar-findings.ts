import { clipText, cweNumber, uniqueSorted, type FindingRecord, type FindingSeverity, type FindingStatus } from '../../findings/finding-model.js';
import { cweId, owaspTop10Id, type Finding, type Hotspot, type SecurityReportInput } from './report/index.js';
import { isOpen, isVulnerability } from './report/open-findings.js';

/**
 * Every issue and hotspot of an imported analysis as stored findings. The fingerprint is
 * SonarQube's own key: SonarQube tracks an issue across analyses and keeps its key, so the same
 * finding in the next version is recognised even when its line moved.
 */
export function sonarFindings(input: SecurityReportInput): FindingRecord[] {
  const seen = new Set<string>();
  const records: FindingRecord[] = [];
  for (const f of input.findings) {
    if (seen.has(f.key)) continue;
    seen.add(f.key);
    records.push({ ...common(f), ruleId: clipText(f.rule), kind: isVulnerability(f) ? 'vulnerability' : 'issue', severity: issueSeverity(f), status: issueStatus(f) });
  }
  for (const h of input.hotspots) {
    if (seen.has(h.key)) continue;
    seen.add(h.key);
    records.push({ ...common(h), ruleId: clipText(h.ruleKey ?? `hotspot:${h.securityCategory}`), kind: 'hotspot', severity: HOTSPOT_SEVERITY[h.vulnerabilityProbability] ?? 'medium', status: hotspotStatus(h) });
  }
  return records;
}

function common(item: Finding | Hotspot) {
  return {
    fingerprint: item.key,
    ruleName: null,
    file: clipText(fileOf(item.component)),
    line: item.line ?? null,
    message: clipText(item.message),
    cwe: uniqueSorted(item.cwe.flatMap((raw) => cweNumber(cweId(raw) ?? '') ?? [])),
    owasp: uniqueSorted(item.owaspTop10_2021.flatMap((raw) => owaspTop10Id(raw) ?? [])),
    partialFingerprints: null,
  };
}

/** A component key is "project:path/to/File.java"; the file is the path after the project key. */
function fileOf(component: string): string {
  const colon = component.indexOf(':');
  return colon >= 0 ? component.slice(colon + 1) : component;
}

const IMPACT_SEVERITY: Readonly<Record<string, FindingSeverity>> = { BLOCKER: 'critical', HIGH: 'high', MEDIUM: 'medium', LOW: 'low', INFO: 'info' };
const LEGACY_SEVERITY: Readonly<Record<string, FindingSeverity>> = { BLOCKER: 'critical', CRITICAL: 'high', MAJOR: 'medium', MINOR: 'low', INFO: 'info' };
const HOTSPOT_SEVERITY: Readonly<Record<string, FindingSeverity>> = { HIGH: 'high', MEDIUM: 'medium', LOW: 'low' };

/** The security impact's severity (MQR), else the legacy severity, else medium. */
function issueSeverity(f: Finding): FindingSeverity {
  const impact = (f.impacts ?? []).find((i) => i.softwareQuality === 'SECURITY') ?? f.impacts?.[0];
  return (impact && IMPACT_SEVERITY[impact.severity]) ?? (f.severity && LEGACY_SEVERITY[f.severity]) ?? 'medium';
}

function issueStatus(f: Finding): FindingStatus {
  if (isOpen(f)) return 'open';
  const closed = f.issueStatus ?? (f.status === 'CLOSED' ? 'FIXED' : f.resolution);
  if (closed === 'FALSE_POSITIVE' || closed === 'FALSE-POSITIVE') return 'false_positive';
  if (closed === 'FIXED' || closed === 'REMOVED') return 'fixed';
  return 'accepted';
}

function hotspotStatus(h: Hotspot): FindingStatus {
  if (h.status === 'TO_REVIEW') return 'open';
  if (h.resolution === 'SAFE') return 'false_positive';
  if (h.resolution === 'FIXED') return 'fixed';
  return 'accepted';
}
