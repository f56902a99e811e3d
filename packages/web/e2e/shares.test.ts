import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { ed25519KeysOf, verifyArchive } from '@arkiv/client/evidence';
import { serverModules } from './server.ts';
import { skipWithoutChromium } from './chromium.ts';
import { startDashboard, type Dashboard } from './harness.ts';
import { readZip } from './zip.ts';

const { htmlBytes, pdfBytes, sampleFields, uploadForm } = await serverModules();
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

describe('share links in Chromium', { skip: skipWithoutChromium() }, () => {
  let dash: Dashboard;
  before(async () => {
    dash = await startDashboard();
  });
  after(async () => dash?.close());

  const upload = async (fields: Parameters<typeof sampleFields>[0], files: { html: Buffer; pdf: Buffer }) => {
    const response = await fetch(`${dash.server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${dash.server.tokens.upload}` }, body: uploadForm(sampleFields(fields), files) });
    assert.equal(response.status, 201);
    return ((await response.json()) as { id: string }).id;
  };

  it('an administrator shares two reports; a browser without cookies sees them, downloads the verifiable ZIP, and sees the link die once revoked', async () => {
    const shared = [
      { fields: { projectName: 'Audited product', projectVersion: '1.0.0', securityRating: 'B', vulnerabilitiesCount: 2 }, html: htmlBytes('audited one'), pdf: pdfBytes('audited one') },
      { fields: { projectName: 'Audited product', projectVersion: '2.0.0', securityRating: 'D', vulnerabilitiesCount: 9 }, html: htmlBytes('audited two'), pdf: pdfBytes('audited two') },
    ];
    const ids: string[] = [];
    for (const report of shared) ids.push(await upload(report.fields, report));
    await upload({ projectName: 'Audited product', projectVersion: '3.0.0' }, { html: htmlBytes('not shared'), pdf: pdfBytes('not shared') });

    const admin = await dash.newPage();
    await dash.login(admin, await dash.user('admin'));
    await admin.getByLabel('Project', { exact: true }).fill('Audited product');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await admin.getByRole('checkbox', { name: 'Select Audited product 1.0.0 CWE Top 25' }).check();
    await admin.getByRole('checkbox', { name: 'Select Audited product 2.0.0 CWE Top 25' }).check();
    await admin.getByRole('button', { name: 'Share (2)' }).click();
    const form = admin.getByRole('form', { name: 'Share 2 reports through a link' });
    await form.getByLabel('Valid for (days)').fill('7');
    await form.getByLabel('Note (who it is for)').fill('External auditor');
    await form.getByRole('button', { name: 'Create link' }).click();
    const linkField = admin.getByRole('textbox', { name: 'Share link' });
    const link = await linkField.inputValue();
    assert.match(link, /\/share\/[A-Za-z0-9_-]{43}$/);
    await admin.getByRole('button', { name: 'Copy share link' }).click();
    await admin.getByText('Share link copied to the clipboard').waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), link);
    await dash.screenshot(admin, 'share-created');

    // A fresh browser context: no cookies, no session, nobody signed in.
    const viewer = await dash.newPage();
    const shareUrl = `${dash.server.url}${new URL(link).pathname}`;
    await viewer.goto(shareUrl);
    await viewer.getByRole('heading', { name: 'Security reports from Test organisation' }).waitFor();
    assert.equal(await viewer.getByLabel('Email').count(), 0, 'no sign-in form');
    const rows = viewer.getByRole('row', { name: /Audited product/ });
    assert.equal(await rows.count(), 2);
    assert.match(await viewer.getByRole('row', { name: /Audited product 1\.0\.0/ }).innerText(), /\b2\b[\s\S]*\bB\b/);
    assert.match(await viewer.getByRole('row', { name: /Audited product 2\.0\.0/ }).innerText(), /\b9\b[\s\S]*\bD\b/);
    assert.equal(await viewer.getByRole('row', { name: /3\.0\.0/ }).count(), 0, 'only the shared reports');
    await dash.screenshot(viewer, 'share-page');

    const [zipDownload] = await Promise.all([viewer.waitForEvent('download'), viewer.getByRole('link', { name: 'Download all (ZIP)' }).click()]);
    const zip = await zipDownload.path();
    const entries = await readZip(zip);
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as { organizationId: string; reports: Array<{ id: string; files: Array<{ path: string; kind: string; sha256: string }> }> };
    assert.equal(manifest.organizationId, dash.server.orgId);
    // Shared in the order the table showed them (newest upload first).
    assert.deepEqual(manifest.reports.map((r) => r.id).sort(), [...ids].sort());
    for (const [i, report] of shared.entries()) {
      const files = manifest.reports.find((r) => r.id === ids[i])!.files;
      assert.deepEqual(files.map((f) => f.kind).sort(), ['html', 'pdf', 'sarif'], 'the uploaded files and the generated findings.sarif');
      for (const file of files.filter((f) => f.kind !== 'sarif')) {
        const bytes = entries.get(file.path)!;
        assert.equal(sha256(bytes), file.sha256);
        assert.deepEqual(bytes, file.kind === 'pdf' ? report.pdf : report.html);
      }
    }
    const jwks = await (await fetch(`${dash.server.url}/.well-known/jwks.json?org=${dash.server.orgId}`)).text();
    assert.deepEqual((await verifyArchive(zip, async () => ed25519KeysOf(jwks, 'JWKS'))).problems, []);
    const [single] = await Promise.all([viewer.waitForEvent('download'), viewer.getByRole('link', { name: 'Download PDF of Audited product 2.0.0 CWE Top 25' }).click()]);
    assert.deepEqual(await fs.readFile(await single.path()), shared[1]!.pdf);

    await admin.getByRole('button', { name: 'Done' }).click();
    await admin.getByRole('link', { name: 'Settings' }).click();
    const panel = admin.getByRole('region', { name: 'Share links' });
    const row = panel.getByRole('row', { name: /External auditor/ });
    await row.waitFor();
    // The page view, the ZIP and the PDF: three accesses, two of them downloads.
    assert.match(await row.innerText(), /Active\s+3 times \(2 downloads\)/);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke External auditor' }).click();
    await row.getByText('Revoked', { exact: true }).waitFor();
    await dash.screenshot(admin, 'shares-panel');

    await viewer.reload();
    await viewer.getByRole('heading', { name: 'This link is no longer valid' }).waitFor();
    assert.match(await viewer.getByRole('alert').innerText(), /revoked/);
    assert.equal((await fetch(`${dash.server.url}/api/shares/${new URL(link).pathname.split('/').pop()}/files`)).status, 410);
  });

  it('a Member sees no Share action', async () => {
    const page = await dash.newPage();
    await dash.login(page, await dash.user('member'));
    await page.getByRole('checkbox', { name: 'Select all reports' }).check();
    await page.getByRole('link', { name: /Download ZIP/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Share/ }).count(), 0);
  });

  it('ran every screen without a CSP violation or script error', () => {
    assert.deepEqual(dash.browserProblems, []);
  });
});
