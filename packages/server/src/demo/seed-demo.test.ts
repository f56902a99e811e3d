import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import yauzl from 'yauzl';
import type { ReportChange } from '../reports/report-hooks.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { DEMO_ORG_ID, DEMO_RELEASES } from './demo-catalogue.js';
import { seedDemo, type DemoSeedResult } from './seed-demo.js';
import { addUser, json, login, type TestUser } from '../accounts/account-test-helpers.js';

/** Seed 000's two requests, character for character after the base URL. */
const SEED_LIST = '/security/report/list?org=00000000-0000-0000-0000-000000000001&version=1.0';
const SEED_FILES =
  '/security/report/files?org=00000000-0000-0000-0000-000000000001&reports=00000000-0000-0000-0000-000000000002&reports=00000000-0000-0000-0000-000000000003';

/** Seed 000's example list item, verbatim. */
const SEED_ITEM = {
  projectName: 'Test product',
  id: '00000000-0000-0000-0000-000000000002',
  reportType: 'CWE Top 25',
  reportVersion: 2024,
  projectVersion: '1.0',
  date: '2025-12-17T09:05:48.5946432+00:00',
  uploadDate: '2025-12-17T09:05:48.5946432+00:00',
  vulnerabilitiesCount: 0,
  securityRating: 'A',
};

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function zipEntries(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on('error', reject).on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c)).on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        }),
      );
      zip.readEntry();
    });
  });
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

for (const dialect of testDialects) {
  describe(`demo data (${dialect})`, () => {
    let server: TestServer;
    const changes: ReportChange[] = [];
    const printed: string[] = [];
    let first: DemoSeedResult;
    let owner: TestUser;

    before(async () => {
      server = await startTestServer(dialect, {}, (ctx) => {
        ctx.reportHooks.push(async (_trx, change) => void changes.push(change));
      });
      owner = await addUser(server, 'owner');
      first = await seedDemo(server.ctx, { print: (text) => printed.push(text) });
    });
    after(async () => server?.stop());

    it('creates every demo report through the report hooks, with an admin token shown once', async () => {
      assert.equal(first.created, DEMO_RELEASES.length * 2);
      assert.equal(first.updated, 0);
      assert.ok(DEMO_RELEASES.length * 2 >= 24, 'several products and versions');
      assert.deepEqual([...new Set(changes.map((c) => c.type))], ['report.created']);
      assert.equal(changes.flatMap((c) => c.reports).length, first.created);
      assert.ok(changes.every((c) => c.orgId === DEMO_ORG_ID && c.initiator === 'system'));
      assert.match(first.adminToken ?? '', /^arkiv_/);
      const org = await fetch(`${server.url}/api/orgs/${DEMO_ORG_ID}`, { headers: { authorization: `Bearer ${first.adminToken}` } });
      assert.equal(org.status, 200);
      assert.equal(printed.filter((l) => l.includes(first.adminToken!)).length, 1);
    });

    it("answers seed 000's list request literally", async () => {
      const response = await fetch(`${server.url}${SEED_LIST}`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await response.json()) as { organizationId: string; reports: Array<Record<string, unknown>> };
      assert.deepEqual(Object.keys(body), ['organizationId', 'reports']);
      assert.equal(body.organizationId, DEMO_ORG_ID);
      assert.deepEqual(body.reports.map((r) => r.id), ['00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000003']);
      for (const report of body.reports) {
        assert.deepEqual(Object.keys(report), Object.keys(SEED_ITEM), 'field names and order as in the seed');
        for (const [name, value] of Object.entries(SEED_ITEM)) assert.equal(typeof report[name], typeof value, name);
        assert.match(String(report.uploadDate), ISO_WITH_OFFSET);
      }
      const { uploadDate: _u, ...seedRest } = SEED_ITEM;
      const { uploadDate: _v, ...itemRest } = body.reports[0]!;
      assert.deepEqual(itemRest, seedRest, 'every value of the seed example except the upload time');
      assert.deepEqual(
        { ...body.reports[1], uploadDate: undefined },
        { ...SEED_ITEM, id: '00000000-0000-0000-0000-000000000003', reportType: 'OWASP Top 10', reportVersion: 2021, uploadDate: undefined },
      );
    });

    it("answers seed 000's files request with both reports' HTML and PDF", async () => {
      const response = await fetch(`${server.url}${SEED_FILES}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/zip');
      const entries = await zipEntries(Buffer.from(await response.arrayBuffer()));
      const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as {
        organizationId: string;
        reports: Array<{ id: string; files: Array<{ kind: string; path: string; size: number; sha256: string }> }>;
      };
      assert.equal(manifest.organizationId, DEMO_ORG_ID);
      assert.deepEqual(manifest.reports.map((r) => r.id), ['00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000003']);
      for (const report of manifest.reports) {
        assert.deepEqual(report.files.map((f) => f.kind).sort(), ['html', 'pdf', 'sarif']);
        for (const file of report.files) {
          const bytes = entries.get(file.path);
          assert.ok(bytes, `${file.path} is in the archive`);
          assert.equal(bytes.length, file.size);
          assert.equal(sha256(bytes), file.sha256);
          if (file.kind === 'pdf') assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
          if (file.kind === 'html') assert.match(bytes.toString('utf8'), /<!DOCTYPE html>[\s\S]*Test product[\s\S]*1\.0/);
          if (file.kind === 'sarif') assert.equal(JSON.parse(bytes.toString('utf8')).version, '2.1.0');
        }
      }
      assert.equal(entries.size, 3 * 2 + 2, 'three files per report (html, pdf, findings.sarif), manifest.json and its signature');
      assert.ok(entries.has('manifest.json.sig'));
    });

    it('covers several products, versions 1.0 … 3.2.1 with prereleases, and both report types', async () => {
      const response = await fetch(`${server.url}/security/report/list?org=${DEMO_ORG_ID}&minver=0.0.0-0`);
      const { reports } = (await response.json()) as { reports: Array<{ projectName: string; projectVersion: string; reportType: string; reportVersion: number }> };
      assert.equal(reports.length, first.created);
      assert.ok(new Set(reports.map((r) => r.projectName)).size >= 3);
      const versions = new Set(reports.map((r) => r.projectVersion));
      for (const v of ['1.0', '3.2.1']) assert.ok(versions.has(v), v);
      assert.ok([...versions].some((v) => v.includes('-')), 'a prerelease');
      assert.deepEqual([...new Set(reports.map((r) => `${r.reportType} ${r.reportVersion}`))].sort(), ['CWE Top 25 2024', 'OWASP Top 10 2021']);
      const ranged = await fetch(`${server.url}/security/report/list?org=${DEMO_ORG_ID}&minver=1.0.1&maxver=2.0.0`);
      const inRange = ((await ranged.json()) as { reports: Array<{ projectVersion: string }> }).reports.map((r) => r.projectVersion);
      assert.ok(inRange.includes('2.0.0-beta.1') && inRange.includes('2.0.0') && !inRange.includes('1.0'));
    });

    it('stores findings that carry across versions, so Diff, Search and Trends have something to show', async () => {
      const read = async (pathAndQuery: string) => {
        const response = await fetch(`${server.url}/api/orgs/${DEMO_ORG_ID}${pathAndQuery}`, { headers: { authorization: `Bearer ${first.adminToken}` } });
        assert.equal(response.status, 200, pathAndQuery);
        return (await response.json()) as Record<string, any>;
      };
      const seedReport = await server.ctx.db.selectFrom('report_findings').select('seq').where('report_id', '=', '00000000-0000-0000-0000-000000000002').execute();
      assert.equal(seedReport.length, 0, "seed 000's example report keeps its zero findings");
      for (const project of ['Test product', 'Payments API', 'Customer portal']) {
        const { versions } = await read(`/findings/trends?project=${encodeURIComponent(project)}`);
        assert.ok(versions.filter((v: { total: number }) => v.total > 0).length >= 3, `${project}: findings in several versions`);
      }
      const diff = await read(`/findings/diff?project=Payments%20API&from=2.0.0&to=3.0.0-rc.1`);
      assert.ok(diff.counts.new > 0 && diff.counts.fixed > 0 && diff.counts.unchanged > 0, JSON.stringify(diff.counts));
      const cwe = Object.keys(diff.byCwe)[0]!;
      const search = await read(`/findings?cwe=${cwe}`);
      assert.ok(search.groups.length >= 2, `${cwe} found in several versions`);
    });

    it('prints working curl lines for the seed requests on the public URL', async () => {
      const base = server.ctx.config.publicUrl;
      assert.ok(printed.some((l) => l.trim() === `curl "${base}${SEED_LIST}"`));
      assert.ok(printed.some((l) => l.trim() === `curl -o reports.zip "${base}${SEED_FILES}"`));
      const range = printed.map((l) => /curl "([^"]*minver=[^"]*maxver=[^"]*)"/.exec(l)?.[1]).find(Boolean);
      assert.ok(range !== undefined && range.startsWith(base), 'a minver/maxver line');
      // The test server listens on a random port, so its public URL (port 0) is not dialable: swap the base.
      assert.equal((await fetch(`${server.url}${range.slice(base.length)}`)).status, 200);
    });

    it('prints only what a user can look up: no internal document numbers', () => {
      assert.ok(printed.length > 0);
      for (const line of printed) assert.doesNotMatch(line, /\bseed\b/i);
    });

    it('is idempotent: a second run updates the same reports and files, adding nothing', async () => {
      const listAll = async () => {
        const response = await fetch(`${server.url}/security/report/list?org=${DEMO_ORG_ID}&minver=0.0.0-0`);
        return ((await response.json()) as { reports: Array<Record<string, unknown>> }).reports;
      };
      const before = await listAll();
      const blobsDir = path.join(server.database.dataDir, 'blobs', 'sha256');
      const blobsBefore = countFiles(blobsDir);
      const orgsBefore = await server.ctx.db.selectFrom('organizations').select('id').execute();
      changes.length = 0;

      const second = await seedDemo(server.ctx, { print: () => {} });
      assert.equal(second.created, 0);
      assert.equal(second.updated, first.created);
      assert.equal(second.adminToken, undefined);
      assert.deepEqual([...new Set(changes.map((c) => c.type))], ['report.updated']);
      const afterRun = await listAll();
      const withoutUpload = (r: Record<string, unknown>) => ({ ...r, uploadDate: undefined });
      assert.deepEqual(afterRun.map(withoutUpload), before.map(withoutUpload));
      assert.equal(countFiles(blobsDir), blobsBefore, 'same bytes, same content-addressed blobs');
      assert.equal((await server.ctx.db.selectFrom('organizations').select('id').execute()).length, orgsBefore.length);
      const files = await server.ctx.db.selectFrom('report_files').select('sha256').execute();
      assert.equal(files.length, first.created * 2);
    });

    it("makes the instance's owners owners of the demo organisation, so the dashboard shows it", async () => {
      const session = await login(server, owner);
      const response = await fetch(`${server.url}/api/orgs`, { headers: { cookie: session.cookie } });
      const { organizations } = await json(response);
      assert.deepEqual(organizations.find((o: { id: string }) => o.id === DEMO_ORG_ID)?.role, 'owner');
    });

    it('seeds in a few seconds', () => {
      // ~28 PDFs and HTML files rendered, hashed and stored: the figure the brief asks for.
      assert.ok(first.elapsedMs < 10_000, `seeding took ${first.elapsedMs} ms`);
    });
  });
}
