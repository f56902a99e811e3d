import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from './model.js';
import { gradeOf, ratingOfMeasure } from './rating.js';

const finding = (fields: Partial<Finding>): Finding => ({
  key: 'k', rule: 'java:S1', component: 'p:F.java', message: 'm', cwe: [], owaspTop10_2021: [], ...fields,
});

test('grades: legacy and impact severities on one A–E scale, the worse one wins', () => {
  const legacy = { INFO: 'A', MINOR: 'B', MAJOR: 'C', CRITICAL: 'D', BLOCKER: 'E' } as const;
  for (const [severity, grade] of Object.entries(legacy)) {
    assert.equal(gradeOf(finding({ severity: severity as keyof typeof legacy })), grade, severity);
  }
  const impact = { INFO: 'A', LOW: 'B', MEDIUM: 'C', HIGH: 'D', BLOCKER: 'E' } as const;
  for (const [severity, grade] of Object.entries(impact)) {
    const impacts = [{ softwareQuality: 'SECURITY' as const, severity: severity as keyof typeof impact }];
    assert.equal(gradeOf(finding({ impacts })), grade, severity);
  }
  assert.equal(gradeOf(finding({ severity: 'MINOR', impacts: [{ softwareQuality: 'SECURITY', severity: 'HIGH' }] })), 'D');
  assert.equal(gradeOf(finding({ severity: 'MINOR', impacts: [{ softwareQuality: 'RELIABILITY', severity: 'BLOCKER' }] })), 'B');
  assert.equal(gradeOf(finding({})), 'C', 'no severity at all: SonarQube default MAJOR');
});

test('security_rating measure values map 1..5 to A..E', () => {
  assert.deepEqual(['1.0', '2.0', '3.0', '4.0', '5.0', '3'].map(ratingOfMeasure), ['A', 'B', 'C', 'D', 'E', 'C']);
  assert.deepEqual(['0.0', '2.5', '6.0', 'B', '', undefined].map(ratingOfMeasure), [undefined, undefined, undefined, undefined, undefined, undefined]);
});
