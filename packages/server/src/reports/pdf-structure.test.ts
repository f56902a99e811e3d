import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSecurityReports, renderPdf, sampleFindings } from '../ingest/sonarqube/report/index.js';
import { pdfBytes } from '../test/fixtures.js';
import { pdfBufferProblem, pdfFileProblem } from './pdf-structure.js';

function qpdfClean(bytes: Buffer): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-pdf-'));
  fs.writeFileSync(path.join(dir, 'in.pdf'), bytes);
  try {
    execFileSync('qpdf', ['--check', path.join(dir, 'in.pdf')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('structural PDF check', () => {
  it('passes every PDF Arkiv itself renders (pdfkit, as the demo and SonarQube import store them) and the test fixtures', async () => {
    const sample = sampleFindings('Structure@1.0', { projectKey: 'structure' });
    const reports = buildSecurityReports({ projectName: 'Structure', projectVersion: '1.0', analysisDate: '2025-12-17T09:05:48+00:00', ...sample });
    const pdfs = [...(await Promise.all(reports.map((r) => renderPdf(r)))), pdfBytes('fixture'), pdfBytes('padded', Buffer.alloc(70_000, 7))];
    for (const pdf of pdfs) {
      assert.ok(qpdfClean(pdf), 'qpdf --check accepts it');
      assert.equal(await pdfBufferProblem(pdf), undefined);
    }
  });

  it('accepts a cross-reference stream (PDF 1.5+) as qpdf writes one, from a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-pdf-'));
    try {
      fs.writeFileSync(path.join(dir, 'in.pdf'), pdfBytes('xref stream'));
      execFileSync('qpdf', ['--object-streams=generate', path.join(dir, 'in.pdf'), path.join(dir, 'out.pdf')]);
      const out = fs.readFileSync(path.join(dir, 'out.pdf'));
      assert.doesNotMatch(out.toString('latin1'), /\nxref\n/, 'qpdf wrote no classic xref table');
      assert.equal(await pdfFileProblem(path.join(dir, 'out.pdf'), out.length), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is wrong', async () => {
    assert.match((await pdfBufferProblem(Buffer.from('%PDF-1.4\n%%EOF')))!, /startxref/);
    assert.match((await pdfBufferProblem(Buffer.from('<html>')))!, /does not start with/);
    assert.match((await pdfBufferProblem(pdfBytes().subarray(0, 200)))!, /%%EOF/);
  });
});
