import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { barLabel, layoutTrend, stackKeys, type TrendVersion } from './trend-chart.ts';

const PLOT = { left: 0, right: 100, top: 0, bottom: 100 };
const version = (projectVersion: string, date: string, bySeverity: Record<string, number>, byCategory: Record<string, number> = {}): TrendVersion => ({
  projectVersion, date, total: Object.values(bySeverity).reduce((a, b) => a + b, 0), bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0, ...bySeverity }, byCategory,
});

// Semver order as the API gives it; dates deliberately out of that order (a hotfix of 1.0 analysed after 2.0-rc.1).
const VERSIONS = [
  version('1.0.0', '2026-01-10T00:00:00Z', { high: 2, low: 1 }, { A03: 2, A01: 1 }),
  version('1.0.1', '2026-03-01T00:00:00Z', { high: 1 }, { A03: 1 }),
  version('2.0.0-rc.1', '2026-02-01T00:00:00Z', { critical: 1, medium: 3 }, { A07: 4 }),
];

describe('findings trend layout', () => {
  it('stacks each version by severity, worst at the bottom, heights proportional to counts', () => {
    const layout = layoutTrend(VERSIONS, { axis: 'versions', stack: 'severity' }, PLOT);
    assert.equal(layout.maxCount, 5);
    assert.deepEqual(layout.bars.map((b) => b.version), ['1.0.0', '1.0.1', '2.0.0-rc.1']);
    const rc = layout.bars[2]!;
    assert.deepEqual(rc.segments.map((s) => [s.key, s.value, s.y, s.height]), [['critical', 1, 80, 20], ['medium', 3, 20, 60]]);
    assert.equal(rc.prerelease, true);
    assert.deepEqual(layout.labels.map((l) => l.text), ['1.0.0', '1.0.1', '2.0.0-rc.1*']);
    assert.equal(barLabel(rc), '2.0.0-rc.1 (prerelease), 2026-02-01: 4 open (1 critical, 3 medium)');
  });

  it('places versions by date on the time axis, in date order', () => {
    const layout = layoutTrend(VERSIONS, { axis: 'time', stack: 'severity' }, PLOT);
    assert.deepEqual(layout.bars.map((b) => b.version), ['1.0.0', '2.0.0-rc.1', '1.0.1']);
    const [first, middle, last] = layout.bars.map((b) => b.x);
    assert.ok(first! < middle! && middle! < last!);
    // 22 of 50 days from the first date to the last.
    assert.ok(Math.abs((middle! - first!) / (last! - first!) - 22 / 50) < 1e-9);
    assert.deepEqual(layout.labels.map((l) => l.text), ['2026-01-10', '2026-02-01', '2026-03-01']);
  });

  it('stacks by OWASP category, the categories present in order', () => {
    assert.deepEqual(stackKeys(VERSIONS, 'category'), ['A01', 'A03', 'A07']);
    const layout = layoutTrend(VERSIONS, { axis: 'versions', stack: 'category' }, PLOT);
    assert.deepEqual(layout.bars[0]!.segments.map((s) => `${s.key}=${s.value}`), ['A01=1', 'A03=2']);
  });

  it('thins version labels so they never crowd the axis, and copes with no versions', () => {
    const many = Array.from({ length: 30 }, (_, i) => version(`1.${i}.0`, `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, { low: i }));
    const layout = layoutTrend(many, { axis: 'versions', stack: 'severity', maxLabels: 6 }, PLOT);
    assert.ok(layout.labels.length <= 6 && layout.labels[0]!.text === '1.0.0');
    assert.deepEqual(layoutTrend([], { axis: 'time', stack: 'severity' }, PLOT).bars, []);
  });
});
