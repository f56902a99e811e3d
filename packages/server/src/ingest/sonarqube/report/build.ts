import { invalidParameter } from '../../../http/errors.js';
import { CWE_TOP_25_2024, OWASP_TOP_10_2021, type SecurityStandard } from './categories.js';
import type {
  CweTop25Report, Finding, Hotspot, OwaspTop10Report, ReportCategory, SecurityRating, SecurityReportInput,
} from './model.js';
import { isListedHotspot, isOpenVulnerability, uniqueByKey } from './open-findings.js';
import { gradeOf, measureValue, ratingOfMeasure, worstRating } from './rating.js';

/**
 * The CWE Top 25 (2024) and OWASP Top 10 (2021) reports of one analysis. Pure: same input, same
 * reports. Findings and hotspots are de-duplicated by key; only open vulnerabilities and listed
 * hotspots (see open-findings.ts) reach a category.
 *
 * Security rating of a report, in this order:
 * 1. SonarQube's `security_rating` measure, when it is present and valid AND the report covers all
 *    of the project's open vulnerabilities: every open vulnerability given falls in at least one
 *    of the report's categories, and the `vulnerabilities` measure, when present, equals the number
 *    of open vulnerabilities given (so none is missing from the input).
 * 2. Otherwise the worst grade of the open vulnerabilities in the report's categories (rating.ts);
 *    A when there are none.
 */
export function buildSecurityReports(input: SecurityReportInput): [CweTop25Report, OwaspTop10Report] {
  const scope: Scope = {
    vulnerabilities: uniqueByKey(input.findings).filter(isOpenVulnerability),
    hotspots: uniqueByKey(input.hotspots).filter(isListedHotspot),
    measuredRating: ratingOfMeasure(measureValue(input.measures, 'security_rating')),
    measuredCount: measureValue(input.measures, 'vulnerabilities'),
    incomplete: (input.unread ?? []).length > 0,
  };
  const header = { projectName: input.projectName, projectVersion: input.projectVersion, date: isoDate(input.analysisDate), unread: [...(input.unread ?? [])] };
  return [
    { reportType: CWE_TOP_25_2024.reportType, reportVersion: CWE_TOP_25_2024.reportVersion, ...header, ...assess(CWE_TOP_25_2024, scope) },
    { reportType: OWASP_TOP_10_2021.reportType, reportVersion: OWASP_TOP_10_2021.reportVersion, ...header, ...assess(OWASP_TOP_10_2021, scope) },
  ];
}

interface Scope {
  vulnerabilities: Finding[];
  hotspots: Hotspot[];
  measuredRating: SecurityRating | undefined;
  measuredCount: string | undefined;
  incomplete: boolean;
}

function assess(standard: SecurityStandard<string, number>, scope: Scope) {
  const categories: ReportCategory[] = standard.categories.map((category) => {
    const inCategory = (item: Finding | Hotspot) => standard.categoryIdsOf(item).includes(category.id);
    return {
      ...category,
      vulnerabilities: scope.vulnerabilities.filter(inCategory).sort(worstFirst),
      hotspots: scope.hotspots.filter(inCategory).sort(highestPriorityFirst),
    };
  });
  // A finding in two categories is one vulnerability: count and grade the set, not the lists.
  const covered = new Set(categories.flatMap((c) => c.vulnerabilities));
  const coversProject = !scope.incomplete && covered.size === scope.vulnerabilities.length
    && (scope.measuredCount === undefined || Number(scope.measuredCount) === scope.vulnerabilities.length);
  const measured = coversProject ? scope.measuredRating : undefined;
  return {
    vulnerabilitiesCount: covered.size,
    securityRating: measured ?? worstRating([...covered].map(gradeOf)),
    ratingSource: measured ? ('measure' as const) : ('findings' as const),
    categories,
  };
}

const byLocation = (a: Finding | Hotspot, b: Finding | Hotspot): number =>
  compare(a.component, b.component) || (a.line ?? 0) - (b.line ?? 0) || compare(a.key, b.key);
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const worstFirst = (a: Finding, b: Finding): number => compare(gradeOf(b), gradeOf(a)) || byLocation(a, b);
const PRIORITY = { HIGH: 0, MEDIUM: 1, LOW: 2 } as const;
const highestPriorityFirst = (a: Hotspot, b: Hotspot): number =>
  (PRIORITY[a.vulnerabilityProbability] ?? 3) - (PRIORITY[b.vulnerabilityProbability] ?? 3) || byLocation(a, b);

/** Normalised to UTC ISO 8601; a date that does not parse is refused rather than stored as "Invalid Date". */
function isoDate(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidParameter(`analysisDate "${value}" is not an ISO 8601 date-time`);
  return new Date(time).toISOString();
}
