import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readPdf } from '../../../test/pdf-text.js';
import { skipWithoutTools } from '../../../test/system-tools.js';
import { buildSecurityReports } from './build.js';
import type { Finding } from './model.js';
import { pdfText } from './pdf-table.js';
import { renderPdf } from './render-pdf.js';

const dir = mkdtempSync(join(tmpdir(), 'arkiv-report-pdf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Output of a command-line PDF tool (poppler's pdftotext/pdfinfo, qpdf) run on `pdf`. */
function pdfTool(tool: 'pdftotext' | 'pdfinfo' | 'qpdf', pdf: Buffer, name: string, args: string[] = []): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

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
  const [large] = buildSecurityReports(input(Array.from({ length: 2000 }, (_, i) => vulnerability(i))));
  const smallExpected = ['CWE Top 25 (2024) security report', 'Project: Shop', 'Version: 1.2.0',
    'Analysis date: 2025-03-01 12:00:00 UTC', 'Report: CWE Top 25 2024', 'Vulnerabilities: 2', 'Security rating: D',
    '#3 CWE-89', 'Open vulnerabilities (2)', 'Repository0.java:1', 'java:S3649', 'Critical',
    'Bad <script>alert(1)</script> ?? ok'];

  test('is a PDF whose text holds the header and the totals', async () => {
    const pdf = await renderPdf(small);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = (await readPdf(pdf)).pages.join('\n');
    for (const expected of smallExpected) assert.ok(text.includes(expected), `missing "${expected}"`);
    assert.ok(text.includes('Bad <script>alert(1)</script> ?? ok'), 'untrusted text is drawn as text; unsupported glyphs as ?');
  });

  test('dates come from the analysis and the same report gives the same bytes', async () => {
    const { info } = await readPdf(await renderPdf(small));
    assert.match(String(info.CreationDate), /^D:20250301120000/);
    assert.equal(info.Title, 'CWE Top 25 (2024) security report: Shop 1.2.0');
    assert.ok((await renderPdf(small)).equals(await renderPdf(small)));
  });

  test('2 000 findings paginate with the column headers on every page', async () => {
    const { pages } = await readPdf(await renderPdf(large));
    assert.ok(pages.length > 1, `${pages.length} pages`);
    pages.slice(1).forEach((page, i) => {
      assert.match(page, /Severity\s+Rule\s+Location\s+Message/, `page ${i + 2} repeats the header`);
      assert.ok(page.includes(`page ${i + 2} of ${pages.length}`));
    });
    const rows = pages.join('\n').match(/Repository\d+\.java:\d+/g) ?? [];
    assert.equal(new Set(rows).size, 2000, 'every finding appears, none split or lost');
  });

  test('an enormous message is clipped so its row still fits one page', async () => {
    const [huge] = buildSecurityReports(input([vulnerability(0, { message: 'x'.repeat(100_000) })]));
    const { pages } = await readPdf(await renderPdf(huge));
    assert.ok(pages.length <= 2, `${pages.length} pages`);
  });

  // The same facts through readers Arkiv did not pick for its own tests: poppler and qpdf.
  test('poppler reads the same text, pages and dates', { skip: skipWithoutTools(['pdftotext', 'pdfinfo']) }, async () => {
    const text = pdfTool('pdftotext', await renderPdf(small), 'small', ['-layout']);
    for (const expected of smallExpected) assert.ok(text.includes(expected), `pdftotext misses "${expected}"`);
    const info = pdfTool('pdfinfo', await renderPdf(small), 'info', ['-isodates']);
    assert.match(info, /^CreationDate:\s+2025-03-01T12:00:00/m);
    assert.match(info, /^Title:\s+CWE Top 25 \(2024\) security report: Shop 1\.2\.0$/m);

    const pdf = await renderPdf(large);
    const pages = Number(/^Pages:\s+(\d+)$/m.exec(pdfTool('pdfinfo', pdf, 'large'))?.[1]);
    assert.equal(pages, (await readPdf(pdf)).pages.length);
    const pageTexts = pdfTool('pdftotext', pdf, 'large').split('\f').filter((page) => page.trim() !== '');
    assert.equal(pageTexts.length, pages);
    assert.equal(new Set(pageTexts.join('\n').match(/Repository\d+\.java:\d+/g)).size, 2000);
  });

  test('qpdf finds the file structure sound', { skip: skipWithoutTools(['qpdf']) }, async () => {
    for (const [name, report] of [['small', small], ['large', large]] as const) {
      assert.match(pdfTool('qpdf', await renderPdf(report!), name, ['--check']), /No syntax or stream encoding errors found/);
    }
  });
});

test('pdfText keeps Windows-1252 text and replaces the rest', () => {
  assert.equal(pdfText('Café – “ok” €5'), 'Café – “ok” €5');
  assert.equal(pdfText('a\u0000b\nc\u0085d'), 'a b c d');
  assert.equal(pdfText('日本😀'), '???');
  assert.equal(pdfText('y'.repeat(700)).length, 600);
});
