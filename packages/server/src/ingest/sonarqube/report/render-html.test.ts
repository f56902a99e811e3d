import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSecurityReports } from './build.js';
import type { Finding, Hotspot } from './model.js';
import { renderHtml } from './render-html.js';
import { sampleFindings } from './sample.js';

const xss: Finding = {
  key: 'AYxss', rule: 'javascript:S5131', severity: 'BLOCKER', type: 'VULNERABILITY', issueStatus: 'OPEN',
  component: 'shop:src/render.js', line: 42, message: 'Reflected <script>alert("x")</script> & more',
  cwe: ['79'], owaspTop10_2021: ['a3'],
};
const csrf: Hotspot = {
  key: 'AYcsrf', ruleKey: 'java:S4502', component: 'shop:src/Security.java', line: 7, securityCategory: 'csrf',
  vulnerabilityProbability: 'HIGH', status: 'TO_REVIEW', message: "Make sure disabling CSRF protection is safe here.",
  cwe: ['352'], owaspTop10_2021: ['a1'],
};
const [cwe, owasp] = buildSecurityReports({
  projectName: 'Shop <Main>', projectVersion: '1.2.0', analysisDate: '2025-03-01T12:00:00Z', findings: [xss], hotspots: [csrf],
});

describe('renderHtml', () => {
  const html = renderHtml(cwe);

  test('is one complete document with the header values and totals', () => {
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.match(html, /<\/html>\n$/);
    assert.ok(html.includes('<dd>Shop &lt;Main&gt;</dd>'));
    assert.ok(html.includes('<dd>1.2.0</dd>'));
    assert.ok(html.includes('<time datetime="2025-03-01T12:00:00.000Z">2025-03-01 12:00:00 UTC</time>'));
    assert.ok(html.includes('<dd>CWE Top 25 2024</dd>'));
    assert.ok(html.includes('<dd class="total">1</dd>'));
    assert.ok(html.includes('<span class="rating rating-E">E</span>'));
    assert.ok(renderHtml(owasp).includes('<dd>OWASP Top 10 2021</dd>'));
  });

  test('summarises every category and details those with findings', () => {
    assert.equal(html.match(/<tr><td class="num">\d+<\/td><th scope="row">/g)?.length, 25);
    assert.ok(html.includes('<a href="#cat-cwe-79">CWE-79 '));
    assert.ok(html.includes('<section id="cat-cwe-79"'));
    assert.ok(html.includes('<section id="cat-cwe-352"'), 'a hotspot alone gives its category a section');
    assert.ok(!html.includes('id="cat-cwe-787"'), 'empty categories get no section');
    assert.ok(html.includes('<td class="loc">shop:src/render.js:42</td>'));
    assert.ok(html.includes('<td>Blocker</td><td>javascript:S5131</td>'));
    assert.ok(html.includes('<td>High</td><td>To review</td><td>java:S4502</td>'));
  });

  test('untrusted text is escaped', () => {
    assert.ok(!/<script/i.test(html));
    assert.ok(html.includes('Reflected &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more'));
    assert.ok(html.includes('disabling CSRF protection'));
    assert.ok(!html.includes('<Main>'));
  });

  test('nothing points outside the document', () => {
    for (const report of [cwe, owasp, ...buildSecurityReports({
      projectName: 'Demo', projectVersion: '3.0.0', analysisDate: '2025-01-01T00:00:00Z', ...sampleFindings('Demo@3.0.0', { findings: 80, hotspots: 20 }),
    })]) {
      const page = renderHtml(report);
      assert.doesNotMatch(page, /https?:/i);
      assert.doesNotMatch(page, /\/\//);
      assert.doesNotMatch(page, /\bsrc\s*=/i);
      assert.doesNotMatch(page, /@import|url\(/i);
      for (const [, target] of page.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)) assert.match(target ?? '', /^#[\w-]+$/);
      for (const [, anchor] of page.matchAll(/href="#([\w-]+)"/g)) assert.ok(page.includes(`id="${anchor}"`), anchor);
    }
  });
});
