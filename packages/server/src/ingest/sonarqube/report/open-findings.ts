import type { Finding, Hotspot } from './model.js';

/*
 * Which findings a report shows and counts. Following SonarQube's own mapping of status and
 * resolution to `issueStatus` (sonar-plugin-api IssueStatus.of, SonarQube 10.4+):
 *   OPEN, REOPENED → OPEN;  CONFIRMED → CONFIRMED;  CLOSED → FIXED;
 *   RESOLVED + FIXED → FIXED;  RESOLVED + FALSE-POSITIVE → FALSE_POSITIVE;  RESOLVED + WONTFIX → ACCEPTED.
 * Open means OPEN or CONFIRMED. ACCEPTED is not open: it is the old "won't fix" resolution, and
 * SonarQube leaves accepted issues out of its `vulnerabilities` count and its security rating.
 * IN_SANDBOX (issues held back from the main metrics) is not open either.
 */
const OPEN_ISSUE_STATUSES: ReadonlySet<string> = new Set(['OPEN', 'CONFIRMED']);
const OPEN_LEGACY_STATUSES: ReadonlySet<string> = new Set(['OPEN', 'CONFIRMED', 'REOPENED']);

/**
 * `issueStatus` wins when present (it is the non-deprecated field); otherwise the deprecated
 * `status`. With neither, the issue counts as open, as SonarQube treats a missing status.
 */
export function isOpen(finding: Finding): boolean {
  if (finding.issueStatus !== undefined) return OPEN_ISSUE_STATUSES.has(finding.issueStatus);
  if (finding.status !== undefined) return OPEN_LEGACY_STATUSES.has(finding.status);
  return true;
}

/**
 * A vulnerability is an issue of type VULNERABILITY (Standard Experience) or with a SECURITY
 * impact (MQR mode, SonarQube 10.2+). Bugs and code smells without a security impact never
 * appear in these reports, even when their rule maps to a CWE (e.g. NULL dereference bugs).
 */
export function isVulnerability(finding: Finding): boolean {
  return finding.type === 'VULNERABILITY' || (finding.impacts ?? []).some((i) => i.softwareQuality === 'SECURITY');
}

export const isOpenVulnerability = (finding: Finding): boolean => isVulnerability(finding) && isOpen(finding);

/**
 * Hotspots are listed, never counted as vulnerabilities. Listed: those still TO_REVIEW and those
 * REVIEWED as ACKNOWLEDGED (a risk someone chose to keep). Reviewed as FIXED or SAFE: left out.
 */
export function isListedHotspot(hotspot: Hotspot): boolean {
  return hotspot.status === 'TO_REVIEW' || (hotspot.status === 'REVIEWED' && hotspot.resolution === 'ACKNOWLEDGED');
}

/** First occurrence per key: pages of api/issues/search can overlap when issues change between calls. */
export function uniqueByKey<T extends { key: string }>(items: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) if (!byKey.has(item.key)) byKey.set(item.key, item);
  return [...byKey.values()];
}
