import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ArkivApiError, ArkivClient, ArkivTransportError, type ReportMetadata } from './index.js';
import { htmlBytes, pdfBytes, startServerUnderTest, testDialects, type ServerUnderTest } from './test/server-under-test.js';
import { readZipEntries } from './test/zip-entries.js';

const UPLOAD_LIMIT = 4 * 1024 * 1024;
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

const metadata = (overrides: Partial<ReportMetadata> = {}): ReportMetadata => ({
  projectName: 'Client product',
  projectVersion: '1.0',
  reportType: 'CWE Top 25',
  reportVersion: 2024,
  date: '2025-12-17T09:05:48+00:00',
  vulnerabilitiesCount: 3,
  securityRating: 'B',
  ...overrides,
});

for (const dialect of testDialects) {
  describe(`typed client (${dialect})`, () => {
    let server: ServerUnderTest;
    let dir: string;
    let htmlPath: string;
    let pdfPath: string;
    const upload = () => new ArkivClient({ baseUrl: server.url, token: server.tokens.upload });
    const admin = () => new ArkivClient({ baseUrl: server.url, token: server.tokens.admin });
    const anonymous = () => new ArkivClient({ baseUrl: server.url });

    before(async () => {
      server = await startServerUnderTest(dialect, { ARKIV_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) });
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-client-'));
      htmlPath = path.join(dir, 'report.html');
      pdfPath = path.join(dir, 'report.pdf');
      fs.writeFileSync(htmlPath, htmlBytes('Client product 1.0'));
      fs.writeFileSync(pdfPath, pdfBytes('Client product 1.0'));
    });
    after(async () => {
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('uploads from file paths (201, then 200 with the same id) and lists the report', async () => {
      const first = await upload().uploadReport(metadata(), { html: htmlPath, pdf: pdfPath });
      assert.equal(first.created, true);
      assert.equal(first.report.organizationId, server.orgId);
      const pdf = first.report.files.find((f) => f.kind === 'pdf');
      assert.equal(pdf?.sha256, sha256(fs.readFileSync(pdfPath)));
      assert.equal(pdf?.fileName, 'report.pdf');
      const again = await upload().uploadReport(metadata({ vulnerabilitiesCount: 1 }), { html: htmlPath, pdf: pdfPath });
      assert.equal(again.created, false);
      assert.equal(again.report.id, first.report.id);

      const list = await anonymous().listReports({ org: server.orgId, version: '1.0.0' });
      assert.equal(list.organizationId, server.orgId);
      assert.deepEqual(list.reports.map((r) => [r.id, r.vulnerabilitiesCount]), [[first.report.id, 1]]);
      assert.equal('nextCursor' in list, false, 'without limit the seed shape has no nextCursor');
    });

    it('uploads Blobs and follows nextCursor through every page', async () => {
      const versions = ['2.0.0-beta.1', '2.0.0', '2.1.0', '3.0.0', '3.2.1'];
      for (const projectVersion of versions) {
        await upload().uploadReport(metadata({ projectVersion }), { html: new Blob([htmlBytes()]), pdf: new Blob([pdfBytes()]) });
      }
      const page = await anonymous().listReports({ org: server.orgId, minver: '2.0.0-0', limit: 2 });
      assert.equal(page.reports.length, 2);
      assert.equal(typeof page.nextCursor, 'string');
      const all = await anonymous().listAllReports({ org: server.orgId, minver: '2.0.0-0' }, { pageSize: 2 });
      assert.deepEqual(all.reports.map((r) => r.projectVersion), [...versions].reverse());
      const unpaged = await anonymous().listReports({ org: server.orgId, minver: '2.0.0-0' });
      assert.deepEqual(all.reports, unpaged.reports);
    });

    it('streams an archive and reports a missing report as found: false', async () => {
      const { reports } = await anonymous().listReports({ org: server.orgId, version: '1.0' });
      const archive = await anonymous().downloadArchive({ org: server.orgId, reports: [reports[0]!.id] });
      assert.equal(archive.found, true);
      if (!archive.found) return;
      assert.equal(archive.contentType, 'application/zip');
      assert.match(archive.fileName ?? '', /^arkiv-reports-.*\.zip$/);
      const bytes = Buffer.from(await new Response(archive.body).arrayBuffer());
      assert.equal(bytes.length, archive.contentLength);
      const file = path.join(dir, 'archive.zip');
      fs.writeFileSync(file, bytes);
      const entries = await readZipEntries(file);
      const pdfEntry = [...entries].find(([name]) => name.endsWith('.pdf'));
      assert.equal(sha256(pdfEntry![1]), sha256(fs.readFileSync(pdfPath)));

      const missing = await anonymous().downloadArchive({ org: server.orgId, reports: [crypto.randomUUID()] });
      assert.deepEqual(missing, { found: false });
    });

    it('turns problem+json into ArkivApiError with the stable code', async () => {
      await assert.rejects(anonymous().listReports({ org: server.orgId }), (e: unknown) => {
        assert.ok(e instanceof ArkivApiError);
        assert.equal(e.status, 400);
        assert.equal(e.code, 'missing_version_filter');
        assert.match(e.message, /version/);
        return true;
      });
      await assert.rejects(anonymous().listReports({ org: server.orgId, minver: '2.0', maxver: '1.0' }), { code: 'invalid_range', status: 400 });
      await assert.rejects(anonymous().listReports({ org: server.orgId, version: 'one' }), { code: 'invalid_version' });
      await assert.rejects(new ArkivClient({ baseUrl: server.url, token: 'arkiv_wrong' }).listReports({ org: server.orgId, version: '1' }), {
        name: 'ArkivApiError',
        code: 'unauthorized',
        status: 401,
      });
      const readOnly = new ArkivClient({ baseUrl: server.url, token: server.tokens.read });
      await assert.rejects(readOnly.uploadReport(metadata(), { html: htmlPath, pdf: pdfPath }), { code: 'forbidden', status: 403 });
      // @ts-expect-error the type forbids the rating, and the server refuses it too
      await assert.rejects(upload().uploadReport(metadata({ securityRating: 'F' }), { html: htmlPath, pdf: pdfPath }), { code: 'invalid_parameter' });
    });

    it('gets the server\'s answer when it refuses a streamed upload before reading it all', async () => {
      const large = path.join(dir, 'large.pdf');
      fs.writeFileSync(large, Buffer.concat([pdfBytes(), Buffer.alloc(UPLOAD_LIMIT + 1024 * 1024, 32)]));
      const wrongToken = new ArkivClient({ baseUrl: server.url, token: 'arkiv_wrong' });
      await assert.rejects(wrongToken.uploadReport(metadata(), { html: htmlPath, pdf: large }), { code: 'unauthorized', status: 401 });
      await assert.rejects(upload().uploadReport(metadata({ projectName: 'Too large' }), { html: htmlPath, pdf: large }), { code: 'payload_too_large', status: 413 });
      assert.deepEqual((await anonymous().listReports({ org: server.orgId, version: '1', projectName: 'Too large' })).reports, []);
    });

    it('reports an unreachable server as ArkivTransportError', async () => {
      // A port that was free a moment ago: nothing listens, so the connection is refused.
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const { port } = probe.address() as net.AddressInfo;
      await new Promise((resolve) => probe.close(resolve));
      const closed = new ArkivClient({ baseUrl: `http://127.0.0.1:${port}` });
      await assert.rejects(closed.listReports({ org: server.orgId, version: '1' }), (e: unknown) => {
        assert.ok(e instanceof ArkivTransportError);
        assert.match(e.message, /ECONNREFUSED/);
        return true;
      });
    });

    it('manages organisation settings and tokens', async () => {
      const org = await admin().getOrganization(server.orgId);
      assert.equal(org.id, server.orgId);
      assert.equal(org.requireReadToken, false);
      const renamed = await admin().updateOrganization(server.orgId, { name: 'Renamed', requireReadToken: true });
      assert.equal(renamed.name, 'Renamed');
      assert.equal(renamed.requireReadToken, true);
      await assert.rejects(anonymous().listReports({ org: server.orgId, version: '1' }), { code: 'unauthorized' });

      const created = await admin().createToken(server.orgId, { name: 'ci reader', scopes: ['read'] });
      assert.match(created.token, /^arkiv_/);
      const reader = new ArkivClient({ baseUrl: server.url, token: created.token });
      assert.equal((await reader.listReports({ org: server.orgId, version: '1' })).reports.length, 1);
      const listed = await admin().listTokens(server.orgId);
      assert.deepEqual(listed.find((t) => t.id === created.id)?.scopes, ['read']);
      await admin().revokeToken(server.orgId, created.id);
      await assert.rejects(reader.listReports({ org: server.orgId, version: '1' }), { code: 'unauthorized' });
      await assert.rejects(admin().revokeToken(server.orgId, created.id), { code: 'not_found', status: 404 });
      await admin().updateOrganization(server.orgId, { requireReadToken: false });
    });

    it('reads every finding of a diff list across pages', async () => {
      const sarif = (hashes: number[]) =>
        new Blob([JSON.stringify({
          version: '2.1.0',
          runs: [{
            tool: { driver: { name: 'semgrep', rules: [{ id: 'xss' }] } },
            results: hashes.map((h) => ({ ruleId: 'xss', level: 'error', message: { text: `xss ${h}` }, locations: [{ physicalLocation: { artifactLocation: { uri: `src/f${String(h).padStart(2, '0')}.js` } } }], partialFingerprints: { primaryLocationLineHash: `h${h}` } })),
          }],
        })]);
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
      await upload().uploadReport(metadata({ projectName: 'Diff client', projectVersion: '1.0.0' }), { html: htmlPath, pdf: pdfPath, sarif: sarif(range(0, 10)) });
      await upload().uploadReport(metadata({ projectName: 'Diff client', projectVersion: '2.0.0' }), { html: htmlPath, pdf: pdfPath, sarif: sarif(range(3, 20)) });
      const query = { project: 'Diff client', from: '1.0.0', to: '2.0.0', limit: 4 };
      const first = await admin().diffFindings(server.orgId, query);
      assert.deepEqual(first.counts, { new: 10, fixed: 3, unchanged: 7 });
      assert.equal(first.new.length, 4);
      const added = [];
      for await (const finding of admin().diffFindingList(server.orgId, query, 'new')) added.push(finding.file);
      assert.deepEqual(added, range(10, 20).map((h) => `src/f${h}.js`));
    });

    it('deletes a report with an admin token', async () => {
      const { report } = await upload().uploadReport(metadata({ projectName: 'Doomed' }), { html: htmlPath, pdf: pdfPath });
      await assert.rejects(upload().deleteReport(report.id), { code: 'forbidden' });
      await admin().deleteReport(report.id);
      await assert.rejects(admin().deleteReport(report.id), { code: 'not_found' });
      assert.deepEqual((await anonymous().listReports({ org: server.orgId, version: '1', projectName: 'Doomed' })).reports, []);
    });
  });
}
