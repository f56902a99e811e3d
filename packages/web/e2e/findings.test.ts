import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';

/** A SARIF 2.1.0 log as Semgrep writes it: rules tagged with their CWE, results with partialFingerprints. */
function sarif(results: Array<{ rule: string; cwe: number; file: string; line: number; hash: string }>) {
  return JSON.stringify({
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'semgrep', rules: [...new Set(results.map((r) => r.rule))].map((id) => ({ id, properties: { tags: [`CWE-${results.find((r) => r.rule === id)!.cwe}: weakness`] } })) } },
      results: results.map((r) => ({
        ruleId: r.rule,
        level: 'error',
        message: { text: `${r.rule} in ${r.file}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: r.file }, region: { startLine: r.line } } }],
        partialFingerprints: { primaryLocationLineHash: r.hash },
      })),
    }],
  });
}

const SQLI = { rule: 'sqli', cwe: 89, file: 'src/db.py', line: 10, hash: 'sqli' };
const XSS = { rule: 'xss', cwe: 79, file: 'src/view.py', line: 4, hash: 'xss' };
const SSRF = { rule: 'ssrf', cwe: 918, file: 'src/fetch.py', line: 7, hash: 'ssrf' };
const SQLI_2 = { rule: 'sqli', cwe: 89, file: 'src/report.py', line: 3, hash: 'sqli-2' };

describe('findings in the dashboard, in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
    for (const [version, results] of [['2.4.0', [SQLI, XSS]], ['2.5.0-rc.1', [XSS]], ['2.5.0', [XSS, SSRF, SQLI_2]]] as const) {
      const form = new FormData();
      form.append('projectName', 'Diff product');
      form.append('projectVersion', version);
      form.append('sarif', new Blob([sarif([...results])], { type: 'application/sarif+json' }), 'results.sarif');
      const response = await fetch(`${dash.server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${dash.server.tokens.upload}` }, body: form });
      assert.equal(response.status, 201, await response.text());
    }
    // A diff longer than one page (100 per list): 1.0.0 holds one finding, 2.0.0 that one and 129 more.
    const many = Array.from({ length: 130 }, (_, i) => ({ rule: 'xss', cwe: 79, file: `web/page${String(i).padStart(3, '0')}.js`, line: 1, hash: `paged-${i}` }));
    for (const [version, results] of [['1.0.0', many.slice(0, 1)], ['2.0.0', many]] as const) {
      const form = new FormData();
      form.append('projectName', 'Paged product');
      form.append('projectVersion', version);
      form.append('sarif', new Blob([sarif(results)], { type: 'application/sarif+json' }), 'results.sarif');
      const response = await fetch(`${dash.server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${dash.server.tokens.upload}` }, body: form });
      assert.equal(response.status, 201, await response.text());
    }
  });
  after(async () => dash?.close());

  it('compares two versions picked in semver order (prereleases marked) and searches findings by CWE', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    const compare = page.getByRole('form', { name: 'Compare versions' });
    await compare.getByLabel('Product').selectOption('Diff product');
    const options = await compare.getByLabel('From version').locator('option').allInnerTexts();
    assert.deepEqual(options, ['2.4.0', '2.5.0-rc.1 (prerelease)', '2.5.0']);
    await compare.getByLabel('From version').selectOption('2.4.0');
    await compare.getByLabel('To version').selectOption('2.5.0');
    await compare.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('status').filter({ hasText: 'Diff product 2.4.0 → 2.5.0: 2 new, 1 fixed, 1 unchanged' }).waitFor();
    const fixed = page.getByRole('table', { name: 'fixed findings' });
    assert.match(await fixed.innerText(), /sqli[\s\S]*src\/db\.py:10[\s\S]*CWE-89/);
    const added = await page.getByRole('table', { name: 'new findings' }).innerText();
    assert.match(added, /src\/fetch\.py:7/);
    assert.match(added, /src\/report\.py:3/);

    const search = page.getByRole('form', { name: 'Search findings' });
    await search.getByLabel('Find').fill('CWE-89');
    await search.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'Findings of Diff product 2.5.0' }).waitFor();
    const headings = await page.getByRole('region', { name: 'Search findings' }).getByRole('heading', { level: 3 }).allInnerTexts();
    assert.deepEqual(headings.map((h) => h.replace(/\s+/g, ' ').trim()), ['Diff product 2.4.0 (1)', 'Diff product 2.5.0 (1)']);
    await dash.screenshot(page, 'findings');
  });

  it('pages a long list of the diff with More, keeping the complete count', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    const compare = page.getByRole('form', { name: 'Compare versions' });
    await compare.getByLabel('Product').selectOption('Paged product');
    await compare.getByLabel('From version').selectOption('1.0.0');
    await compare.getByLabel('To version').selectOption('2.0.0');
    await compare.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('status').filter({ hasText: 'Paged product 1.0.0 → 2.0.0: 129 new, 0 fixed, 1 unchanged' }).waitFor();
    const added = page.getByRole('region', { name: 'new findings' });
    await added.getByRole('heading', { name: 'New (100 of 129)' }).waitFor();
    assert.equal(await added.getByRole('row').count(), 101, 'a header and the first 100');
    await added.getByRole('button', { name: 'More new findings' }).click();
    await added.getByRole('heading', { name: 'New (129)' }).waitFor();
    const places = await added.getByRole('row').evaluateAll((rows) => rows.slice(1).map((row) => row.children[2]?.textContent ?? ''));
    assert.equal(places.length, 129);
    assert.equal(new Set(places).size, 129, 'no finding twice');
    assert.deepEqual(places.slice(0, 2), ['web/page001.js:1', 'web/page002.js:1'], 'in place order (page000 is unchanged)');
    assert.equal(await added.getByRole('button', { name: 'More new findings' }).count(), 0);
    assert.deepEqual(dash.browserProblems, []);
  });
});
