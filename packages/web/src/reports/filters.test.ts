import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterErrors, listParameters, NO_FILTERS } from './filters.ts';

const org = '00000000-0000-4000-8000-000000000001';

describe('report filters', () => {
  it('asks for every version when no version filter is set (the API needs one)', () => {
    assert.deepEqual(listParameters(org, { ...NO_FILTERS, projectName: ' web ' }), { org, projectName: 'web', minver: '0' });
  });

  it('passes the filters the person set, trimmed', () => {
    assert.deepEqual(listParameters(org, { ...NO_FILTERS, maxver: '2.0 ', reportType: 'CWE Top 25' }), { org, maxver: '2.0', reportType: 'CWE Top 25' });
  });

  it('flags versions the API would refuse', () => {
    assert.deepEqual(Object.keys(filterErrors({ ...NO_FILTERS, version: '1.x', minver: '1.0', maxver: 'latest' })), ['version', 'maxver']);
  });
});
