import type { Report } from './types.ts';
import { compareVersions } from './versions.ts';

/**
 * Data and geometry of the per-project chart: vulnerabilitiesCount and securityRating across
 * versions. Several reports of one version (different report types) collapse to the highest
 * count and the worst rating: a chart that hides a bad report would mislead a security review.
 */
export const RATINGS = ['A', 'B', 'C', 'D', 'E'] as const;

export interface ChartPoint {
  version: string;
  vulnerabilities: number;
  rating: string;
}

export interface ProjectSeries {
  projectName: string;
  points: ChartPoint[];
}

export function ratingRank(rating: string): number {
  const index = RATINGS.indexOf(rating as (typeof RATINGS)[number]);
  return index === -1 ? RATINGS.length - 1 : index;
}

export function projectSeries(reports: readonly Report[]): ProjectSeries[] {
  const projects = new Map<string, Map<string, ChartPoint>>();
  for (const report of reports) {
    const versions = projects.get(report.projectName) ?? new Map<string, ChartPoint>();
    projects.set(report.projectName, versions);
    const point = versions.get(report.projectVersion);
    if (!point) {
      versions.set(report.projectVersion, { version: report.projectVersion, vulnerabilities: report.vulnerabilitiesCount, rating: report.securityRating });
      continue;
    }
    point.vulnerabilities = Math.max(point.vulnerabilities, report.vulnerabilitiesCount);
    if (ratingRank(report.securityRating) > ratingRank(point.rating)) point.rating = report.securityRating;
  }
  return [...projects.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([projectName, versions]) => ({
      projectName,
      points: [...versions.values()].sort((a, b) => compareVersions(a.version, b.version)),
    }));
}

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1), so axis ticks are round. */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Round ticks from 0 to a `niceCeiling` maximum: every integer up to 5, otherwise about five
 * steps of 1, 2 or 5 × 10ⁿ, which divide such a maximum exactly.
 */
export function ticks(max: number): number[] {
  const step = max <= 5 ? 1 : niceCeiling(max / 5);
  const result: number[] = [];
  for (let value = 0; value <= max; value += step) result.push(value);
  return result;
}

export interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Maps [d0, d1] onto [r0, r1] linearly; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

export interface PlacedPoint extends ChartPoint {
  x: number;
  yCount: number;
  yRating: number;
}

/**
 * Versions are categories: each gets an equal band and sits at its centre, so bars never touch
 * the axes. Counts on the left axis, ratings A (top) to E (bottom).
 */
export function placePoints(points: readonly ChartPoint[], plot: Plot): { placed: PlacedPoint[]; maxCount: number; band: number } {
  const maxCount = niceCeiling(Math.max(0, ...points.map((p) => p.vulnerabilities)));
  const band = (plot.right - plot.left) / Math.max(1, points.length);
  const yCount = linearScale(0, maxCount, plot.bottom, plot.top);
  const yRating = linearScale(0, RATINGS.length - 1, plot.top, plot.bottom);
  return {
    maxCount,
    band,
    placed: points.map((point, i) => ({
      ...point,
      x: plot.left + (i + 0.5) * band,
      yCount: yCount(point.vulnerabilities),
      yRating: yRating(ratingRank(point.rating)),
    })),
  };
}
