import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildSecurityReports } from './build.js';
import type { Finding } from './model.js';
import { pdfText } from './pdf-table.js';
import { renderPdf } from './render-pdf.js';

// pdftotext and pdfinfo come from poppler-utils (CI: apt-get install -y poppler-utils).
const dir = mkdtempSync(join(tmpdir(), 'arkiv-report-pdf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function poppler(tool: 'pdftotext' | 'pdfinfo', pdf: Buffer, name: string, args: string[] = []): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  try {
    return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is missing: apt-get install -y poppler-utils`);
    throw error;
  }
}
const pageCount = (pdf: Buffer, name: string): number => Number(/^Pages:\s+(\d+)$/m.exec(poppler('pdfinfo', pdf, name))?.[1]);

const vulnerability = (i: number, fields: Partial<Finding> = {}): Finding => ({
  key: `AY${i}`, rule: 'java:S3649', severity: 'CRITICAL', type: 'VULNERABILITY', issueStatus: 'OPEN',
  component: `shop:src/main/java/com/acme/repo/Repository${i}.java`, line: i + 1,
  message: 'Change this code to not construct SQL queries directly from user-controlled data.',
  cwe: ['89'], owaspTop10_2021: ['a3'], ...fields,
});
const input = (findings: Finding[]) => ({
  projectName: 'Shop', projectVersion: '1.2.0', analysisDate: '2025-03-01T12:00:00Z', findings, hotspots: [],
});

describe('renderPdf', () => {
  const [small] = buildSecurityReports(input([vulnerability(0), vulnerability(1, { message: 'Bad <script>alert(1)</script> 日本 ok' })]));

  test('is a PDF whose text holds the header and the totals', async () => {
    const pdf = await renderPdf(small);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = poppler('pdftotext', pdf, 'small', ['-layout']);
    for (const expected of ['CWE Top 25 (2024) security report', 'Project: Shop', 'Version: 1.2.0',
      'Analysis date: 2025-03-01 12:00:00 UTC', 'Report: CWE Top 25 2024', 'Vulnerabilities: 2', 'Security rating: D',
      '#3 CWE-89', 'Open vulnerabilities (2)', 'Repository0.java:1', 'java:S3649', 'Critical']) {
      assert.ok(text.includes(expected), `missing "${expected}"`);
    }
    assert.ok(text.includes('Bad <script>alert(1)</script> ?? ok'), 'untrusted text is drawn as text; unsupported glyphs as ?');
  });

  test('dates come from the analysis and the same report gives the same bytes', async () => {
    const info = poppler('pdfinfo', await renderPdf(small), 'info', ['-isodates']);
    assert.match(info, /^CreationDate:\s+2025-03-01T12:00:00/m);
    assert.match(info, /^Title:\s+CWE Top 25 \(2024\) security report: Shop 1\.2\.0$/m);
    assert.ok((await renderPdf(small)).equals(await renderPdf(small)));
  });

  test('2 000 findings paginate with the column headers on every page', async () => {
    const [large] = buildSecurityReports(input(Array.from({ length: 2000 }, (_, i) => vulnerability(i))));
    const pdf = await renderPdf(large);
    const pages = pageCount(pdf, 'large');
    assert.ok(pages > 1, `${pages} pages`);
    const text = poppler('pdftotext', pdf, 'large');
    const pageTexts = text.split('\f').filter((page) => page.trim() !== '');
    assert.equal(pageTexts.length, pages);
    pageTexts.slice(1).forEach((page, i) => {
      assert.match(page, /Severity\s+Rule\s+Location\s+Message/, `page ${i + 2} repeats the header`);
      assert.ok(page.includes(`page ${i + 2} of ${pages}`));
    });
    const rows = text.match(/Repository\d+\.java:\d+/g) ?? [];
    assert.equal(new Set(rows).size, 2000, 'every finding appears, none split or lost');
  });

  test('an enormous message is clipped so its row still fits one page', async () => {
    const [huge] = buildSecurityReports(input([vulnerability(0, { message: 'x'.repeat(100_000) })]));
    const pages = pageCount(await renderPdf(huge), 'huge');
    assert.ok(pages <= 2, `${pages} pages`);
  });
});

test('pdfText keeps Windows-1252 text and replaces the rest', () => {
  assert.equal(pdfText('Café – “ok” €5'), 'Café – “ok” €5');
  assert.equal(pdfText('a\u0000b\nc\u0085d'), 'a b c d');
  assert.equal(pdfText('日本😀'), '???');
  assert.equal(pdfText('y'.repeat(700)).length, 600);
});
