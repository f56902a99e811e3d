import type { Finding, Hotspot, ReportCategory, SecurityRating, SecurityReport } from './model.js';

/** Words both renderers use, so the HTML and the PDF of one report say the same things. */

export const reportTitle = (report: SecurityReport): string => `${report.reportType} (${report.reportVersion})`;

/** "2025-03-01T12:00:00.000Z" → "2025-03-01 12:00:00 UTC". */
export const formatDate = (iso: string): string => iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

const titleCase = (word: string): string => word.charAt(0) + word.slice(1).toLowerCase();

/** The legacy severity when present (the scale the A–E rating is named in), else the security impact's. */
export function severityLabel(finding: Finding): string {
  const impact = finding.impacts?.find((i) => i.softwareQuality === 'SECURITY');
  const severity = finding.severity ?? impact?.severity;
  return severity ? titleCase(severity) : 'Unknown';
}

export const locationOf = (item: Finding | Hotspot): string =>
  item.line === undefined ? item.component : `${item.component}:${item.line}`;

export const hotspotRule = (hotspot: Hotspot): string => hotspot.ruleKey ?? hotspot.securityCategory;
export const hotspotPriority = (hotspot: Hotspot): string => titleCase(hotspot.vulnerabilityProbability);
export const hotspotStatus = (hotspot: Hotspot): string => (hotspot.status === 'TO_REVIEW' ? 'To review' : 'Acknowledged');

export const RATING_MEANING: Readonly<Record<SecurityRating, string>> = {
  A: 'no open vulnerability',
  B: 'worst open vulnerability is minor',
  C: 'worst open vulnerability is major',
  D: 'worst open vulnerability is critical',
  E: 'worst open vulnerability is a blocker',
};

export function ratingExplanation(report: SecurityReport): string {
  const source = report.ratingSource === 'measure'
    ? "SonarQube's security rating of the project (this report covers all its open vulnerabilities)"
    : 'the open vulnerabilities in this report';
  return `${report.securityRating}: ${RATING_MEANING[report.securityRating]}; from ${source}.`;
}

export const COUNTING_NOTE =
  'Counted: open vulnerabilities (status open or confirmed), each once even when it falls in several categories. '
  + 'Security hotspots to review or acknowledged are listed but not counted.';

/** Open vulnerabilities of a category, listed or not. */
export const openVulnerabilityCount = (category: ReportCategory): number => category.vulnerabilityCount ?? category.vulnerabilities.length;

export const hasFindings = (category: ReportCategory): boolean => openVulnerabilityCount(category) > 0 || category.hotspots.length > 0;

/** "Open vulnerabilities (12)", or with a cut list "Open vulnerabilities (12 000; the 200 worst listed)". */
export function vulnerabilitiesCaption(category: ReportCategory): string {
  const count = openVulnerabilityCount(category);
  const listed = category.vulnerabilities.length;
  return listed < count ? `Open vulnerabilities (${count}; the ${listed} worst listed, every one in the report's findings)` : `Open vulnerabilities (${count})`;
}
