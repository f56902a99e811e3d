/**
 * Input shapes mirror the SonarQube Web API responses the SonarQube client reads; outputs are the
 * report metadata Arkiv stores (the field names of `GET /security/report/list`) plus the findings
 * each category holds, which the HTML and PDF renderers draw.
 *
 * CWE and OWASP membership: no SonarQube answer (issue, hotspot or rule) carries security
 * standards; SonarQube offers them only as filters and facets. The SonarQube client lists the
 * rules of each category (api/rules/search?cwe=79, ?owaspTop10-2021=a3; security-categories.ts)
 * and copies the categories onto every finding and hotspot of that rule as `cwe: ["79"]` and
 * `owaspTop10_2021: ["A03"]`. The prefixed forms ("cwe:79", "CWE-79", "owaspTop10-2021:a3", "a3")
 * are accepted too. A finding whose lists are empty belongs to no category.
 */

/** `severity` of api/issues/search: deprecated since SonarQube 10.4 but still returned. */
export type LegacySeverity = 'BLOCKER' | 'CRITICAL' | 'MAJOR' | 'MINOR' | 'INFO';
/** `impacts[].severity`: LOW/MEDIUM/HIGH since 10.2; INFO and BLOCKER since 10.8. */
export type ImpactSeverity = 'BLOCKER' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO';
export type SoftwareQuality = 'SECURITY' | 'RELIABILITY' | 'MAINTAINABILITY';

export interface Impact {
  softwareQuality: SoftwareQuality;
  severity: ImpactSeverity;
}

/** Standards membership, filled by the SonarQube client from the rule (see the note above). */
export interface SecurityStandards {
  cwe: readonly string[];
  owaspTop10_2021: readonly string[];
}

/** One issue of api/issues/search (only the fields the reports use). */
export interface Finding extends SecurityStandards {
  key: string;
  rule: string;
  component: string;
  line?: number;
  message: string;
  severity?: LegacySeverity;
  impacts?: Impact[];
  /** Deprecated since 10.4 in favour of `issueStatus`. */
  status?: 'OPEN' | 'CONFIRMED' | 'REOPENED' | 'RESOLVED' | 'CLOSED';
  /** With `status` RESOLVED or CLOSED. */
  resolution?: 'FIXED' | 'FALSE-POSITIVE' | 'WONTFIX' | 'REMOVED';
  /** Since 10.4: OPEN (also REOPENED), CONFIRMED (deprecated), ACCEPTED (was WONTFIX), FALSE_POSITIVE, FIXED. */
  issueStatus?: 'OPEN' | 'CONFIRMED' | 'ACCEPTED' | 'FALSE_POSITIVE' | 'FIXED' | 'IN_SANDBOX';
  /** Deprecated since 10.4 in favour of `impacts`. */
  type?: 'VULNERABILITY' | 'BUG' | 'CODE_SMELL';
  tags?: string[];
}

/** One hotspot of api/hotspots/search (`ruleKey` is returned by recent versions only). */
export interface Hotspot extends SecurityStandards {
  key: string;
  component: string;
  securityCategory: string;
  vulnerabilityProbability: 'HIGH' | 'MEDIUM' | 'LOW';
  status: 'TO_REVIEW' | 'REVIEWED';
  /** With `status` REVIEWED. */
  resolution?: 'FIXED' | 'SAFE' | 'ACKNOWLEDGED';
  line?: number;
  message: string;
  ruleKey?: string;
}

/**
 * One entry of `component.measures` from api/measures/component. The reports read
 * `security_rating` ("1.0" = A … "5.0" = E) and `vulnerabilities` (a count, as a string).
 * `security_hotspots` and `security_review_rating` may be passed along but are not used.
 */
export interface Measure {
  metric: string;
  value?: string;
}

export interface SecurityReportInput {
  projectName: string;
  projectVersion: string;
  /** The analysis date (ISO 8601; SonarQube's "2025-01-31T10:00:00+0100" form is accepted). */
  analysisDate: string;
  findings: Finding[];
  hotspots: Hotspot[];
  measures?: Measure[];
  /** What SonarQube counted but could not serve (past its 10 000-result window): shown in the report. */
  unread?: string[];
}

export type SecurityRating = 'A' | 'B' | 'C' | 'D' | 'E';

export interface ReportCategory {
  /** "CWE-79" or "A01". */
  id: string;
  name: string;
  /** 1 = first in the standard's list. */
  rank: number;
  /** Open vulnerabilities of this category, worst first (the worst of them when `vulnerabilityCount` is larger). */
  vulnerabilities: Finding[];
  /**
   * Open vulnerabilities of this category when the list holds only the worst of them (a report
   * rendered from a SARIF upload lists a bounded number); absent when the list is complete.
   */
  vulnerabilityCount?: number;
  /** Hotspots still to review or acknowledged, highest review priority first. */
  hotspots: Hotspot[];
}

interface ReportFields {
  projectName: string;
  projectVersion: string;
  /** The analysis date, normalised to ISO 8601 UTC. */
  date: string;
  /** Open vulnerabilities in at least one category of this report, each counted once. */
  vulnerabilitiesCount: number;
  securityRating: SecurityRating;
  /** Where `securityRating` came from: SonarQube's `security_rating` measure or this report's findings. */
  ratingSource: 'measure' | 'findings';
  categories: ReportCategory[];
  /** Empty when every finding SonarQube counted was read; else why not (the report is incomplete). */
  unread: string[];
}

export interface CweTop25Report extends ReportFields {
  reportType: 'CWE Top 25';
  reportVersion: 2024;
}

export interface OwaspTop10Report extends ReportFields {
  reportType: 'OWASP Top 10';
  reportVersion: 2021;
}

export type SecurityReport = CweTop25Report | OwaspTop10Report;
