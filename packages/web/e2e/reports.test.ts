import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { serverModules } from './server.ts';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';
import { readZip } from './zip.ts';

const { htmlBytes, pdfBytes, sampleFields, uploadForm } = await serverModules();
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

describe('reports browser in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
  });
  after(async () => dash?.close());

  it('uploads a report through the form and lists it', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    await page.getByRole('button', { name: 'Upload a report' }).click();
    const form = page.getByRole('form', { name: 'Upload a report' });
    await form.getByRole('button', { name: 'Upload report' }).click();
    // Client-side validation names each missing field before anything is sent.
    await page.getByText('Enter the project name').waitFor();
    await page.getByText('Attach the HTML report, the PDF report, or both').waitFor();

    await form.getByLabel('Project name', { exact: true }).fill('Browser product');
    await form.getByLabel('Project version', { exact: true }).fill('2.1');
    await form.getByLabel('Report type', { exact: true }).fill('OWASP Top 10');
    await form.getByLabel('Report edition', { exact: true }).fill('2021');
    await form.getByLabel('Analysis date', { exact: true }).fill('2025-12-17T09:05');
    await form.getByLabel('Vulnerabilities', { exact: true }).fill('7');
    await form.getByLabel('Security rating').selectOption('C');
    await form.getByLabel('HTML report', { exact: true }).setInputFiles({ name: 'report.html', mimeType: 'text/html', buffer: htmlBytes('Browser upload') });
    await form.getByLabel('PDF report', { exact: true }).setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Browser upload') });
    await form.getByRole('button', { name: 'Upload report' }).click();
    await page.getByText('Uploaded Browser product 2.1 (OWASP Top 10).').waitFor();
    const row = page.getByRole('row', { name: /Browser product.*2\.1.*OWASP Top 10/ });
    await row.waitFor();
    assert.match(await row.innerText(), /\b7\b/);

    const listed = await fetch(`${dash.server.url}/security/report/list?org=${dash.server.orgId}&version=2.1`);
    const body = (await listed.json()) as { reports: Array<{ projectName: string; vulnerabilitiesCount: number; securityRating: string }> };
    assert.deepEqual(body.reports.map((r) => [r.projectName, r.vulnerabilitiesCount, r.securityRating]), [['Browser product', 7, 'C']]);
  });

  it('downloads a ZIP of two selected reports', async () => {
    const uploads = [
      { fields: sampleFields({ projectName: 'Zip product', projectVersion: '1.0.0' }), html: htmlBytes('zip one'), pdf: pdfBytes('zip one') },
      { fields: sampleFields({ projectName: 'Zip product', projectVersion: '1.1.0', vulnerabilitiesCount: 3, securityRating: 'B' }), html: htmlBytes('zip two'), pdf: pdfBytes('zip two') },
    ];
    const ids: string[] = [];
    for (const upload of uploads) {
      const response = await fetch(`${dash.server.url}/security/report`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dash.server.tokens.upload}` },
        body: uploadForm(upload.fields, { html: upload.html, pdf: upload.pdf }),
      });
      assert.equal(response.status, 201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    await page.getByLabel('Project', { exact: true }).fill('Zip product');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('checkbox', { name: 'Select Zip product 1.0.0 CWE Top 25' }).check();
    await page.getByRole('checkbox', { name: 'Select Zip product 1.1.0 CWE Top 25' }).check();
    await page.getByRole('figure', { name: 'Zip product', exact: true }).waitFor();
    await dash.screenshot(page, 'reports');
    const [single] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download PDF of Zip product 1.1.0 CWE Top 25' }).click()]);
    assert.deepEqual(await fs.readFile(await single.path()), uploads[1]!.pdf);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download ZIP (2)' }).click()]);
    const file = await download.path();
    const entries = await readZip(file);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as {
      organizationId: string;
      reports: Array<{ id: string; files: Array<{ path: string; sha256: string; kind: string }> }>;
    };
    assert.equal(manifest.organizationId, dash.server.orgId);
    assert.deepEqual(manifest.reports.map((r) => r.id).sort(), [...ids].sort());
    for (const [i, upload] of uploads.entries()) {
      const files = manifest.reports.find((r) => r.id === ids[i])!.files;
      // html, pdf and findings.sarif (the report's findings: none for these uploads).
      assert.deepEqual(files.map((f) => f.kind).sort(), ['html', 'pdf', 'sarif']);
      for (const entry of files) {
        const bytes = entries.get(entry.path);
        assert.ok(bytes, `${entry.path} is in the archive`);
        assert.equal(sha256(bytes), entry.sha256);
        if (entry.kind === 'sarif') assert.deepEqual(JSON.parse(bytes.toString('utf8')).runs[0].results, []);
        else assert.deepEqual(bytes, entry.kind === 'pdf' ? upload.pdf : upload.html);
      }
    }
  });

  it('lets an Administrator delete a report after confirming', async () => {
    const response = await fetch(`${dash.server.url}/security/report`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dash.server.tokens.upload}` },
      body: uploadForm(sampleFields({ projectName: 'Doomed product', projectVersion: '0.1' })),
    });
    assert.equal(response.status, 201);
    const page = await dash.newPage();
    await dash.login(page, await dash.user('admin'));
    const row = page.getByRole('row', { name: /Doomed product/ });
    await row.getByRole('button', { name: 'Delete' }).click();
    // The first press only asks; Cancel has focus so a stray Enter deletes nothing.
    await page.keyboard.press('Enter');
    assert.equal(await row.count(), 1);
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete Doomed product 0.1' }).click();
    await row.waitFor({ state: 'detached' });
    const listed = (await (await fetch(`${dash.server.url}/security/report/list?org=${dash.server.orgId}&version=0.1`)).json()) as { reports: unknown[] };
    assert.deepEqual(listed.reports, []);
  });

  it('ran every screen without a CSP violation or script error', () => {
    assert.deepEqual(dash.browserProblems, []);
  });
});
