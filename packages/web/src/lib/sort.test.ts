import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextOrder, sortReports } from './sort.ts';
import type { Report } from './types.ts';

const report = (id: string, projectName: string, projectVersion: string, vulnerabilitiesCount: number, securityRating: Report['securityRating'] = 'A'): Report => ({
  id, projectName, projectVersion, vulnerabilitiesCount, securityRating,
  reportType: 'CWE Top 25', reportVersion: 2024, date: '2025-01-01T00:00:00Z', uploadDate: `2025-02-0${id}T00:00:00Z`,
});
const reports = [report('1', 'web', '1.10', 3, 'C'), report('2', 'api', '1.2', 9, 'E'), report('3', 'web', '1.9', 0), report('4', 'api', '1.2-rc.1', 9, 'B')];

describe('report table order', () => {
  it('sorts versions by precedence, not text', () => {
    const ids = sortReports(reports, { key: 'projectVersion', direction: 'ascending' }).map((r) => r.id);
    assert.deepEqual(ids, ['4', '2', '3', '1']);
  });

  it('sorts descending and breaks ties by project then version', () => {
    const ids = sortReports(reports, { key: 'vulnerabilitiesCount', direction: 'descending' }).map((r) => r.id);
    assert.deepEqual(ids, ['4', '2', '1', '3']);
  });

  it('does not mutate its input', () => {
    const before = reports.map((r) => r.id);
    sortReports(reports, { key: 'securityRating', direction: 'descending' });
    assert.deepEqual(reports.map((r) => r.id), before);
  });

  it('flips the direction on the same column and starts ascending on a new one', () => {
    assert.deepEqual(nextOrder({ key: 'date', direction: 'ascending' }, 'date'), { key: 'date', direction: 'descending' });
    assert.deepEqual(nextOrder({ key: 'date', direction: 'descending' }, 'projectName'), { key: 'projectName', direction: 'ascending' });
  });
});
