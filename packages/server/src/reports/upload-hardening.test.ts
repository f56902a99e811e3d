import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';

/** Whether qpdf (a tool we did not write) finds the PDF sound: exit 0, neither errors (2) nor repairs with warnings (3). */
function qpdfAccepts(bytes: Buffer): boolean {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-pdf-')), 'in.pdf');
  fs.writeFileSync(file, bytes);
  try {
    execFileSync('qpdf', ['--check', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

const good = pdfBytes('structurally sound');
/** PDFs a client might send that no reader opens without repair; qpdf --check fails or warns on each. */
export const brokenPdfs: Record<string, Buffer> = {
  'header and trailer only': Buffer.from('%PDF-1.4\n%%EOF'),
  'no startxref': Buffer.from(good.toString('latin1').replace(/startxref\n\d+\n/, ''), 'latin1'),
  'startxref past the end': Buffer.from(good.toString('latin1').replace(/startxref\n\d+/, 'startxref\n999999'), 'latin1'),
  'startxref not at an xref': Buffer.from(good.toString('latin1').replace(/startxref\n\d+/, 'startxref\n3'), 'latin1'),
  'truncated (no %%EOF)': good.subarray(0, good.length - 40),
  'header then junk': Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]),
};

for (const dialect of testDialects) {
  describe(`upload hardening on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.stop());

    const post = (body: string | FormData, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}`, ...headers }, body });
    const reportCount = async () => {
      const response = await fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0`, { headers: { authorization: `Bearer ${server.tokens.read}` } });
      return ((await response.json()) as { reports: unknown[] }).reports.length;
    };

    it('answers a body that is not multipart under a multipart content type with 400 invalid_multipart', async () => {
      const before = await reportCount();
      for (const body of ['not multipart at all', '--x\r\nContent-Disposition: form-data; name="projectName"\r\n\r\nA', '--x\r\n\r\n', '']) {
        const response = await post(body, { 'content-type': 'multipart/form-data; boundary=x' });
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.equal(((await response.json()) as { code: string }).code, 'invalid_multipart', JSON.stringify(body));
      }
      const noBoundary = await post('abc', { 'content-type': 'multipart/form-data' });
      assert.equal(noBoundary.status, 400);
      assert.equal(((await noBoundary.json()) as { code: string }).code, 'invalid_multipart');
      // The server still answers, and nothing was stored.
      assert.equal(await reportCount(), before);
      assert.equal((await post(uploadForm(sampleFields({ projectName: 'After bad multipart' })))).status, 201);
    });

    it('refuses a PDF that is not structurally a PDF with 400 invalid_pdf, as qpdf --check does', async () => {
      assert.ok(qpdfAccepts(good), 'the fixture is a real PDF');
      const before = await reportCount();
      for (const [name, pdf] of Object.entries(brokenPdfs)) {
        assert.equal(qpdfAccepts(pdf), false, `qpdf refuses or must repair "${name}"`);
        const response = await post(uploadForm(sampleFields({ projectName: `Broken ${name}` }), { pdf }));
        assert.equal(response.status, 400, name);
        assert.equal(((await response.json()) as { code: string }).code, 'invalid_pdf', name);
      }
      assert.equal(await reportCount(), before);
      assert.equal((await post(uploadForm(sampleFields({ projectName: 'Sound PDF' }), { pdf: good }))).status, 201);
    });
  });
}
