import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CWE_TOP_25_2024_CATEGORIES, OWASP_TOP_10_2021_CATEGORIES, cweId, owaspTop10Id } from './categories.js';

test('CWE Top 25 2024 in rank order; OWASP Top 10 2021 A01–A10', () => {
  const ids = [79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200, 863, 918, 119, 476, 798, 190, 400, 306];
  assert.deepEqual(CWE_TOP_25_2024_CATEGORIES.map((c) => c.id), ids.map((n) => `CWE-${n}`));
  assert.deepEqual(CWE_TOP_25_2024_CATEGORIES.map((c) => c.rank), ids.map((_, i) => i + 1));
  assert.equal(CWE_TOP_25_2024_CATEGORIES[0]?.name, "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')");
  assert.equal(CWE_TOP_25_2024_CATEGORIES[24]?.name, 'Missing Authentication for Critical Function');
  assert.deepEqual(OWASP_TOP_10_2021_CATEGORIES.map((c) => c.id), ['A01', 'A02', 'A03', 'A04', 'A05', 'A06', 'A07', 'A08', 'A09', 'A10']);
  assert.equal(OWASP_TOP_10_2021_CATEGORIES[2]?.name, 'Injection');
});

test('standard ids are normalised from the forms SonarQube uses', () => {
  assert.deepEqual(['79', 'cwe:79', 'CWE-79', ' 079 '].map(cweId), ['CWE-79', 'CWE-79', 'CWE-79', 'CWE-79']);
  assert.deepEqual(['unknown', 'cwe:', ''].map(cweId), [undefined, undefined, undefined]);
  assert.deepEqual(['a3', 'A03', 'owaspTop10-2021:a3', 'a10'].map(owaspTop10Id), ['A03', 'A03', 'A03', 'A10']);
  assert.deepEqual(['a0', 'a11', 'b3', 'owaspTop10:a3'].map(owaspTop10Id), [undefined, undefined, undefined, undefined]);
});
