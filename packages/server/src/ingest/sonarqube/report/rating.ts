import type { Finding, ImpactSeverity, LegacySeverity, Measure, SecurityRating } from './model.js';

/*
 * SonarQube's security rating is the grade of the worst open vulnerability:
 *   A = none, B = at least one minor, C = major, D = critical, E = blocker (INFO does not lower it).
 * MQR mode states the same scale with impact severities: B = low, C = medium, D = high,
 * E = blocker; so LOW→B, MEDIUM→C, HIGH→D, BLOCKER→E, INFO→A.
 */
const GRADE_OF_SEVERITY: Readonly<Record<LegacySeverity, SecurityRating>> = {
  INFO: 'A', MINOR: 'B', MAJOR: 'C', CRITICAL: 'D', BLOCKER: 'E',
};
const GRADE_OF_IMPACT: Readonly<Record<ImpactSeverity, SecurityRating>> = {
  INFO: 'A', LOW: 'B', MEDIUM: 'C', HIGH: 'D', BLOCKER: 'E',
};
/** SonarQube's default rule severity, used when a finding carries no severity at all. */
const GRADE_WITHOUT_SEVERITY: SecurityRating = 'C';

/** Ratings compare as letters: 'A' < 'B' < … < 'E'. */
export const worstRating = (ratings: Iterable<SecurityRating>): SecurityRating => {
  let worst: SecurityRating = 'A';
  for (const rating of ratings) if (rating > worst) worst = rating;
  return worst;
};

/**
 * The grade a finding gives the report: the worse of its legacy `severity` and the severity of its
 * SECURITY impact. On SonarQube's default mappings the two agree; where a server's mapping differs
 * (before 10.8 BLOCKER became HIGH and INFO became LOW), the report errs towards the worse grade.
 */
export function gradeOf(finding: Finding): SecurityRating {
  const grades: SecurityRating[] = [];
  const legacy = finding.severity && GRADE_OF_SEVERITY[finding.severity];
  if (legacy) grades.push(legacy);
  for (const impact of finding.impacts ?? []) {
    const grade = impact.softwareQuality === 'SECURITY' ? GRADE_OF_IMPACT[impact.severity] : undefined;
    if (grade) grades.push(grade);
  }
  return grades.length === 0 ? GRADE_WITHOUT_SEVERITY : worstRating(grades);
}

export function measureValue(measures: readonly Measure[] | undefined, metric: string): string | undefined {
  return measures?.find((m) => m.metric === metric)?.value;
}

/** The `security_rating` measure: "1.0" → A … "5.0" → E; anything else → undefined. */
export function ratingOfMeasure(value: string | undefined): SecurityRating | undefined {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? (['A', 'B', 'C', 'D', 'E'] as const)[n - 1] : undefined;
}
