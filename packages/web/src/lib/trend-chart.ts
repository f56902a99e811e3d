import { linearScale, niceCeiling, type Plot } from './chart.ts';
import { parseVersion } from './versions.ts';

/**
 * Data and geometry of the findings trend chart (GET /api/orgs/{orgId}/findings/trends): open
 * findings of one product as stacked bars, one bar per version, stacked by severity or by OWASP
 * category, placed either as categories in semver order (the API's order) or on a time axis by
 * the version's latest analysis date.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export type TrendAxis = 'versions' | 'time';
export type TrendStack = 'severity' | 'category';

export interface TrendVersion {
  projectVersion: string;
  date: string;
  total: number;
  bySeverity: Record<string, number>;
  byCategory: Record<string, number>;
}

export interface Segment {
  key: string;
  value: number;
  y: number;
  height: number;
}

export interface PlacedBar {
  version: string;
  prerelease: boolean;
  date: string;
  total: number;
  x: number;
  width: number;
  segments: Segment[];
}

export interface AxisLabel {
  x: number;
  text: string;
}

export interface TrendLayout {
  keys: string[];
  maxCount: number;
  bars: PlacedBar[];
  labels: AxisLabel[];
}

export const isPrerelease = (version: string): boolean => (parseVersion(version)?.prerelease.length ?? 0) > 0;

/** Stack keys: every severity in fixed order (worst at the bottom), or the categories present, A01 first. */
export function stackKeys(versions: readonly TrendVersion[], stack: TrendStack): string[] {
  if (stack === 'severity') return [...SEVERITIES];
  return [...new Set(versions.flatMap((v) => Object.keys(v.byCategory)))].sort();
}

const countsOf = (version: TrendVersion, stack: TrendStack) => (stack === 'severity' ? version.bySeverity : version.byCategory);

/** The height of a bar: the sum of its stack (a finding in two categories counts in both). */
export const stackTotal = (version: TrendVersion, stack: TrendStack): number => Object.values(countsOf(version, stack)).reduce((sum, n) => sum + n, 0);

const day = (iso: string) => iso.slice(0, 10);

/** At most `max` labels, evenly spaced, always the first. */
function thinned<T>(items: readonly T[], max: number): T[] {
  const every = Math.max(1, Math.ceil(items.length / max));
  return items.filter((_, i) => i % every === 0);
}

export function layoutTrend(versions: readonly TrendVersion[], options: { axis: TrendAxis; stack: TrendStack; maxLabels?: number }, plot: Plot): TrendLayout {
  const { axis, stack } = options;
  const maxLabels = options.maxLabels ?? 6;
  const keys = stackKeys(versions, stack);
  const maxCount = niceCeiling(Math.max(0, ...versions.map((v) => stackTotal(v, stack))));
  const y = linearScale(0, maxCount, plot.bottom, plot.top);
  const ordered = axis === 'time' ? [...versions].sort((a, b) => Date.parse(a.date) - Date.parse(b.date)) : [...versions];
  const span = plot.right - plot.left;
  let xOf: (v: TrendVersion, i: number) => number;
  let width: number;
  if (axis === 'versions') {
    const band = span / Math.max(1, ordered.length);
    width = Math.max(3, Math.min(32, band * 0.6));
    xOf = (_, i) => plot.left + (i + 0.5) * band;
  } else {
    // Bars sit at their date; thin enough that a bar per version fits side by side across the axis.
    width = Math.max(3, Math.min(24, (span / Math.max(1, ordered.length)) * 0.6));
    const times = ordered.map((v) => Date.parse(v.date));
    const time = linearScale(Math.min(...times), Math.max(...times), plot.left + width / 2, plot.right - width / 2);
    xOf = (v) => time(Date.parse(v.date));
  }
  const bars = ordered.map((v, i): PlacedBar => {
    const counts = countsOf(v, stack);
    let base = 0;
    const segments: Segment[] = [];
    for (const key of keys) {
      const value = counts[key] ?? 0;
      if (value === 0) continue;
      segments.push({ key, value, y: y(base + value), height: y(base) - y(base + value) });
      base += value;
    }
    return { version: v.projectVersion, prerelease: isPrerelease(v.projectVersion), date: v.date, total: v.total, x: xOf(v, i), width, segments };
  });
  const labels =
    axis === 'versions'
      ? thinned(bars, maxLabels).map((b) => ({ x: b.x, text: b.prerelease ? `${b.version}*` : b.version }))
      : thinnedDays(bars, maxLabels);
  return { keys, maxCount, bars, labels };
}

/** Time axis: one label per distinct day, thinned so they do not overlap. */
function thinnedDays(bars: readonly PlacedBar[], max: number): AxisLabel[] {
  const byDay = new Map<string, number>();
  for (const bar of bars) if (!byDay.has(day(bar.date))) byDay.set(day(bar.date), bar.x);
  return thinned([...byDay.entries()], Math.min(max, 5)).map(([text, x]) => ({ x, text }));
}

/** What one bar says in words (its tooltip, and the test's handle on it). */
export function barLabel(bar: PlacedBar): string {
  const parts = bar.segments.map((s) => `${s.value} ${s.key}`).join(', ');
  return `${bar.version}${bar.prerelease ? ' (prerelease)' : ''}, ${day(bar.date)}: ${bar.total} open${parts ? ` (${parts})` : ''}`;
}
