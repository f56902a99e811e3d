import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';

type Level = 'critical' | 'error' | 'warning' | 'note';

/**
 * A SARIF log of `count` findings per level: error → high, warning → medium, note → low, and
 * "critical" as an error with GitHub's security-severity 9.5. Every finding has its own rule and
 * fingerprint; tagged CWE-79 and OWASP A03, or CWE-798 and A07, as Semgrep tags its rules.
 */
function sarif(version: string, counts: Partial<Record<Level, number>>, cwe = 79) {
  const results = Object.entries(counts).flatMap(([level, n]) =>
    Array.from({ length: n }, (_, i) => ({
      ruleId: `rule-${level}-${i}`,
      level: level === 'critical' ? 'error' : level,
      message: { text: `${level} ${i} of ${version}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/${level}${i}.ts` }, region: { startLine: i + 1 } } }],
      partialFingerprints: { primaryLocationLineHash: `${version}-${level}-${i}` },
      ...(level === 'critical' ? { properties: { 'security-severity': '9.5' } } : {}),
    })),
  );
  const rules = results.map((r) => ({ id: r.ruleId, properties: { tags: [`external/cwe/cwe-${cwe}`, cwe === 79 ? 'OWASP-A03:2021 - Injection' : 'OWASP-A07:2021 - Identification and Authentication Failures'] } }));
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'semgrep', rules } }, results }] });
}

// Semver order 1.0.0 < 1.1.0-beta.1 < 1.1.0 < 1.10.0 (not the text order); dates not in that order.
const UPLOADS: Array<{ version: string; date: string; counts: Partial<Record<Level, number>>; cwe?: number }> = [
  { version: '1.10.0', date: '2026-04-01T00:00:00Z', counts: { error: 3 } },
  { version: '1.0.0', date: '2026-01-10T00:00:00Z', counts: { critical: 1, error: 2, warning: 1 } },
  { version: '1.1.0', date: '2026-03-01T00:00:00Z', counts: { warning: 1, note: 1 }, cwe: 798 },
  { version: '1.1.0-beta.1', date: '2026-02-01T00:00:00Z', counts: { error: 1 } },
];

async function tableRows(page: Page, name: string): Promise<string[][]> {
  const table = page.getByRole('table', { name });
  await table.waitFor({ state: 'attached' });
  return table.locator('tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim() ?? '')));
}

describe('findings trend chart in the dashboard, in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
    for (const upload of UPLOADS) {
      const form = new FormData();
      form.append('projectName', 'Trend product');
      form.append('projectVersion', upload.version);
      form.append('date', upload.date);
      form.append('sarif', new Blob([sarif(upload.version, upload.counts, upload.cwe)], { type: 'application/sarif+json' }), 'results.sarif');
      const response = await fetch(`${dash.server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${dash.server.tokens.upload}` }, body: form });
      assert.equal(response.status, 201, await response.text());
    }
  });
  after(async () => dash?.close());

  it('shows open findings per version in semver order, stacked by severity, over time and by category, at 390 px', async () => {
    const page = await dash.newPage({ width: 390 });
    await dash.login(page, await dash.user('member'));
    const trend = page.getByRole('region', { name: 'Findings trend' });
    await trend.locator('select').selectOption('Trend product');
    const name = 'Open findings of Trend product by version';
    assert.deepEqual(await tableRows(page, name), [
      ['Version', 'Date', 'Open findings', 'critical', 'high', 'medium', 'low', 'info'],
      ['1.0.0', '2026-01-10', '4', '1', '2', '1', '0', '0'],
      ['1.1.0-beta.1 (prerelease)', '2026-02-01', '1', '0', '1', '0', '0', '0'],
      ['1.1.0', '2026-03-01', '2', '0', '0', '1', '1', '0'],
      ['1.10.0', '2026-04-01', '3', '0', '3', '0', '0', '0'],
    ]);

    // The bars say the same: one per version, in semver order, a segment per severity present.
    const bars = () =>
      trend.locator('svg g.trend-bar').evaluateAll((groups) =>
        groups.map((g) => `${g.getAttribute('data-version')}${g.classList.contains('prerelease') ? '*' : ''}: ${[...g.querySelectorAll('rect')].map((r) => `${r.getAttribute('data-key')}=${r.getAttribute('data-value')}`).join(' ')}`),
      );
    assert.deepEqual(await bars(), ['1.0.0: critical=1 high=2 medium=1', '1.1.0-beta.1*: high=1', '1.1.0: medium=1 low=1', '1.10.0: high=3']);
    // Heights follow the counts: 4 findings stand twice as tall as 2.
    const heights = await trend.locator('svg g.trend-bar').evaluateAll((groups) => groups.map((g) => g.getBoundingClientRect().height));
    assert.ok(Math.abs(heights[0]! / heights[2]! - 2) < 0.05, `heights ${heights.join(', ')}`);
    assert.equal(await trend.getByRole('img', { name: /Open findings of Trend product by version/ }).count(), 1);
    assert.match(await trend.locator('svg').innerHTML(), /1\.1\.0-beta\.1\*/, 'the prerelease is marked on the axis');

    // At 390 px the chart and its controls fit the screen (wide tables scroll inside their own box, as everywhere).
    const overflow = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-scroll, .visually-hidden'))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`),
    );
    assert.deepEqual(overflow, []);
    const chart = await trend.locator('svg').boundingBox();
    assert.ok(chart && chart.x >= 0 && chart.x + chart.width <= 390 && chart.width > 300, JSON.stringify(chart));
    await dash.screenshot(page, 'findings-trend-390');

    await trend.getByLabel('Over time', { exact: true }).check();
    assert.deepEqual((await bars()).map((b) => b.split(':')[0]), ['1.0.0', '1.1.0-beta.1*', '1.1.0', '1.10.0'], 'dates happen to follow semver here');
    const xs = await trend.locator('svg g.trend-bar rect:first-of-type').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('x'))));
    assert.ok(xs.length === 4 && xs.every((x, i) => i === 0 || x > xs[i - 1]!), `bars left to right by date: ${xs.join(', ')}`);
    // 1.0.0 (Jan 10) → 1.1.0-beta.1 (Feb 1) is 22 of the 81 days to 1.10.0 (Apr 1).
    assert.ok(Math.abs((xs[1]! - xs[0]!) / (xs[3]! - xs[0]!) - 22 / 81) < 0.01, `time scale: ${xs.join(', ')}`);

    await trend.getByLabel('OWASP category', { exact: true }).check();
    assert.deepEqual((await tableRows(page, name)).map((row) => row.filter((_, i) => i !== 1)), [
      ['Version', 'Open findings', 'A03', 'A07'],
      ['1.0.0', '4', '4', '0'],
      ['1.1.0-beta.1 (prerelease)', '1', '1', '0'],
      ['1.1.0', '2', '0', '2'],
      ['1.10.0', '3', '3', '0'],
    ]);
    assert.deepEqual(dash.browserProblems, []);
  });
});
