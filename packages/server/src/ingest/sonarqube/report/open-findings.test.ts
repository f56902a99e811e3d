import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from './model.js';
import { isListedHotspot, isOpen, isVulnerability } from './open-findings.js';

const finding = (fields: Partial<Finding>): Finding => ({
  key: 'k', rule: 'java:S1', component: 'p:F.java', message: 'm', cwe: [], owaspTop10_2021: [], ...fields,
});

test('open: issueStatus OPEN/CONFIRMED, else status OPEN/CONFIRMED/REOPENED, else open', () => {
  const cases: [Partial<Finding>, boolean][] = [
    [{ issueStatus: 'OPEN' }, true], [{ issueStatus: 'CONFIRMED' }, true], [{ issueStatus: 'ACCEPTED' }, false],
    [{ issueStatus: 'FALSE_POSITIVE' }, false], [{ issueStatus: 'FIXED' }, false], [{ issueStatus: 'IN_SANDBOX' }, false],
    [{ status: 'OPEN' }, true], [{ status: 'CONFIRMED' }, true], [{ status: 'REOPENED' }, true],
    [{ status: 'RESOLVED', resolution: 'WONTFIX' }, false], [{ status: 'CLOSED', resolution: 'FIXED' }, false],
    [{ issueStatus: 'ACCEPTED', status: 'OPEN' }, false], // issueStatus wins
    [{}, true],
  ];
  for (const [fields, open] of cases) assert.equal(isOpen(finding(fields)), open, JSON.stringify(fields));
});

test('vulnerability: type VULNERABILITY or a SECURITY impact', () => {
  assert.equal(isVulnerability(finding({ type: 'VULNERABILITY' })), true);
  assert.equal(isVulnerability(finding({ impacts: [{ softwareQuality: 'SECURITY', severity: 'LOW' }] })), true);
  assert.equal(isVulnerability(finding({ type: 'BUG', impacts: [{ softwareQuality: 'RELIABILITY', severity: 'HIGH' }] })), false);
  assert.equal(isVulnerability(finding({})), false);
});

test('listed hotspots: to review or acknowledged', () => {
  const base = { key: 'h', component: 'c', securityCategory: 'x', vulnerabilityProbability: 'LOW', message: 'm', cwe: [], owaspTop10_2021: [] } as const;
  assert.equal(isListedHotspot({ ...base, status: 'TO_REVIEW' }), true);
  assert.equal(isListedHotspot({ ...base, status: 'REVIEWED', resolution: 'ACKNOWLEDGED' }), true);
  assert.equal(isListedHotspot({ ...base, status: 'REVIEWED', resolution: 'SAFE' }), false);
  assert.equal(isListedHotspot({ ...base, status: 'REVIEWED', resolution: 'FIXED' }), false);
});
