import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linearScale, niceCeiling, placePoints, projectSeries, ticks } from './chart.ts';
import type { Report } from './types.ts';

const report = (projectName: string, projectVersion: string, vulnerabilitiesCount: number, securityRating: Report['securityRating'], reportType = 'CWE Top 25'): Report => ({
  id: `${projectName}-${projectVersion}-${reportType}`, projectName, projectVersion, vulnerabilitiesCount, securityRating, reportType,
  reportVersion: 2024, date: '2025-01-01T00:00:00Z', uploadDate: '2025-01-01T00:00:00Z',
});

describe('chart data', () => {
  it('groups by project, orders versions by precedence, keeps the worst of a version', () => {
    const series = projectSeries([
      report('web', '1.10', 2, 'B'),
      report('web', '1.9', 7, 'A'),
      report('web', '1.9', 3, 'D', 'OWASP Top 10'),
      report('api', '2.0', 0, 'A'),
    ]);
    assert.deepEqual(series.map((s) => s.projectName), ['api', 'web']);
    assert.deepEqual(series[1]!.points, [
      { version: '1.9', vulnerabilities: 7, rating: 'D' },
      { version: '1.10', vulnerabilities: 2, rating: 'B' },
    ]);
  });
});

describe('chart scaling', () => {
  it('rounds the count axis up to 1, 2 or 5 × 10ⁿ', () => {
    assert.deepEqual([0, 1, 3, 7, 10, 11, 42, 99, 101, 1999].map(niceCeiling), [1, 1, 5, 10, 10, 20, 50, 100, 200, 2000]);
  });

  it('puts integer ticks from 0 to the maximum', () => {
    assert.deepEqual(ticks(1), [0, 1]);
    assert.deepEqual(ticks(5), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(ticks(10), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(ticks(20), [0, 5, 10, 15, 20]);
    assert.deepEqual(ticks(200), [0, 50, 100, 150, 200]);
    // Every nice maximum is itself a tick.
    for (const max of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) assert.equal(ticks(max).at(-1), max);
  });

  it('maps linearly and keeps a flat domain in the middle', () => {
    const scale = linearScale(0, 10, 100, 0);
    assert.equal(scale(0), 100);
    assert.equal(scale(5), 50);
    assert.equal(linearScale(3, 3, 0, 10)(3), 5);
  });

  it('places points inside the plot: zero on the baseline, A at the top, E at the bottom', () => {
    const plot = { left: 10, right: 130, top: 0, bottom: 100 };
    const { placed, maxCount } = placePoints(
      [{ version: '1', vulnerabilities: 0, rating: 'A' }, { version: '2', vulnerabilities: 8, rating: 'E' }, { version: '3', vulnerabilities: 4, rating: 'C' }],
      plot,
    );
    assert.equal(maxCount, 10);
    // Three bands of 40 px: centres at 30, 70 and 110.
    assert.deepEqual(placed.map((p) => [p.x, p.yCount, p.yRating]), [[30, 100, 0], [70, 20, 100], [110, 60, 50]]);
    const single = placePoints([{ version: '1', vulnerabilities: 3, rating: 'B' }], plot).placed[0]!;
    assert.equal(single.x, 70);
  });
});
