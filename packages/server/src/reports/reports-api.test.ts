import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { sampleFields, uploadForm, type UploadFields } from '../test/fixtures.js';

async function upload(server: TestServer, fields: Partial<UploadFields> & Record<string, unknown>, token = server.tokens.upload, files?: Parameters<typeof uploadForm>[1]) {
  const response = await fetch(`${server.url}/security/report`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: uploadForm(fields, files),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: (await response.json()) as Record<string, any> };
}

async function list(server: TestServer, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/security/report/list?${query}`, { headers });
  return { status: response.status, type: response.headers.get('content-type') ?? '', headers: response.headers, body: (await response.json()) as Record<string, any> };
}

const versionsOf = (body: Record<string, any>) => (body.reports as Array<{ projectVersion: string }>).map((r) => r.projectVersion);

for (const dialect of testDialects) {
  describe(`reports API on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.stop());

    it('stores an upload and lists it in exactly the seed 000 shape', async () => {
      const created = await upload(server, sampleFields());
      assert.equal(created.status, 201);
      const response = await list(server, `org=${server.orgId}&version=1.0`);
      assert.equal(response.status, 200);
      assert.deepEqual(Object.keys(response.body), ['organizationId', 'reports']);
      assert.equal(response.body.organizationId, server.orgId);
      const [report] = response.body.reports;
      assert.deepEqual(Object.keys(report).sort(), ['date', 'id', 'projectName', 'projectVersion', 'reportType', 'reportVersion', 'securityRating', 'uploadDate', 'vulnerabilitiesCount'].sort());
      assert.equal(report.id, created.body.id);
      assert.equal(report.projectName, 'Test product');
      assert.equal(report.reportType, 'CWE Top 25');
      assert.equal(report.reportVersion, 2024);
      assert.equal(report.projectVersion, '1.0');
      assert.equal(report.date, '2025-12-17T09:05:48.5946432+00:00');
      assert.match(report.uploadDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
      assert.equal(report.vulnerabilitiesCount, 0);
      assert.equal(report.securityRating, 'A');
    });

    it('replaces a report uploaded again under the same identity, keeping its id', async () => {
      const first = await upload(server, sampleFields({ projectName: 'Replace me', vulnerabilitiesCount: 3, securityRating: 'C' }));
      const second = await upload(server, sampleFields({ projectName: 'Replace me', projectVersion: '1.0.0', vulnerabilitiesCount: 1, securityRating: 'B' }));
      assert.equal(first.status, 201);
      assert.equal(second.status, 200);
      assert.equal(second.body.id, first.body.id);
      assert.ok(second.body.uploadDate >= first.body.uploadDate);
      const response = await list(server, `org=${server.orgId}&version=1&projectName=Replace%20me`);
      assert.equal(response.body.reports.length, 1);
      assert.equal(response.body.reports[0].vulnerabilitiesCount, 1);
      assert.equal(response.body.reports[0].projectVersion, '1.0.0');
    });

    it('answers version, minver and maxver by semver precedence, prereleases included', async () => {
      const project = 'Range product';
      for (const v of ['0.9.0', '1.0.0', '1.0.1', '1.1.0-beta.1', '1.1.0', '1.10.0', '2.0.0-rc.1', '2.0.0+build.5']) {
        assert.equal((await upload(server, sampleFields({ projectName: project, projectVersion: v }))).status, 201, v);
      }
      const q = (filters: string) => list(server, `org=${server.orgId}&projectName=${encodeURIComponent(project)}&${filters}`).then((r) => versionsOf(r.body));
      assert.deepEqual(await q('minver=1.0.1&maxver=1.1.0'), ['1.1.0', '1.1.0-beta.1', '1.0.1']);
      assert.deepEqual(await q('minver=1.1'), ['2.0.0+build.5', '2.0.0-rc.1', '1.10.0', '1.1.0'], '1.1.0-beta.1 ranks below 1.1');
      assert.deepEqual(await q('minver=1.1.0-alpha'), ['2.0.0+build.5', '2.0.0-rc.1', '1.10.0', '1.1.0', '1.1.0-beta.1']);
      assert.deepEqual(await q('maxver=1.0'), ['1.0.0', '0.9.0']);
      assert.deepEqual(await q('version=2.0.0'), ['2.0.0+build.5']);
      assert.deepEqual(await q('version=1.1.0-beta.1'), ['1.1.0-beta.1']);
      assert.deepEqual(await q('version=3.0'), []);
    });

    it('orders by projectName, version descending, reportType and pages with a cursor without gaps', async () => {
      const org = await server.addOrganization('Paging org');
      const expected: string[] = [];
      for (const name of ['Beta', 'Alpha']) {
        for (const v of ['1.0.0', '2.0.0']) {
          for (const type of ['OWASP Top 10', 'CWE Top 25']) {
            const r = await upload(server, sampleFields({ projectName: name, projectVersion: v, reportType: type }), org.adminToken);
            assert.equal(r.status, 201);
          }
        }
      }
      for (const name of ['Alpha', 'Beta']) for (const v of ['2.0.0', '1.0.0']) for (const type of ['CWE Top 25', 'OWASP Top 10']) expected.push(`${name} ${v} ${type}`);
      const all = await list(server, `org=${org.orgId}&minver=0`);
      assert.deepEqual(all.body.reports.map((r: any) => `${r.projectName} ${r.projectVersion} ${r.reportType}`), expected);
      const paged: string[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await list(server, `org=${org.orgId}&minver=0&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        assert.ok(page.body.reports.length <= 3);
        paged.push(...page.body.reports.map((r: any) => `${r.projectName} ${r.projectVersion} ${r.reportType}`));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.deepEqual(paged, expected);
    });

    it('filters by reportType and uploadedSince', async () => {
      const org = await server.addOrganization('Filter org');
      await upload(server, sampleFields({ reportType: 'OWASP Top 10', reportVersion: 2021 }), org.adminToken);
      const marker = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 5));
      await upload(server, sampleFields({ projectVersion: '1.1' }), org.adminToken);
      assert.deepEqual(versionsOf((await list(server, `org=${org.orgId}&minver=0&reportType=OWASP%20Top%2010`)).body), ['1.0']);
      assert.deepEqual(versionsOf((await list(server, `org=${org.orgId}&minver=0&uploadedSince=${encodeURIComponent(marker)}`)).body), ['1.1']);
    });

    it('treats an unknown organisation as empty and never shows another organisation\'s reports', async () => {
      const other = await server.addOrganization('Other org');
      const response = await list(server, `org=${other.orgId}&minver=0`);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body.reports, []);
      assert.deepEqual((await list(server, 'org=6f1c1c9e-2b0a-4a8e-9b53-5f3b8c1f0a11&minver=0')).body.reports, []);
    });

    const badQueries: Array<[string, string, string]> = [
      ['no version filter', 'org={org}', 'missing_version_filter'],
      ['missing org', 'version=1.0', 'invalid_parameter'],
      ['non-UUID org', 'org=acme&version=1.0', 'invalid_parameter'],
      ['invalid version', 'org={org}&version=one', 'invalid_version'],
      ['invalid minver', 'org={org}&minver=1.0.0.0', 'invalid_version'],
      ['leading zero', 'org={org}&maxver=01.0', 'invalid_version'],
      ['minver above maxver', 'org={org}&minver=2.0&maxver=1.9.9', 'invalid_range'],
      ['zero limit', 'org={org}&version=1&limit=0', 'invalid_parameter'],
      ['huge limit', 'org={org}&version=1&limit=100000', 'invalid_parameter'],
      ['forged cursor', 'org={org}&version=1&limit=2&cursor=bm90LWEtY3Vyc29y', 'invalid_parameter'],
      ['bad uploadedSince', 'org={org}&version=1&uploadedSince=yesterday', 'invalid_parameter'],
    ];
    for (const [name, query, code] of badQueries) {
      it(`refuses ${name} with 400 ${code}`, async () => {
        const response = await list(server, query.replace('{org}', server.orgId));
        assert.equal(response.status, 400);
        assert.match(response.type, /^application\/problem\+json/);
        assert.equal(response.body.code, code);
        assert.equal(typeof response.body.message, 'string');
        assert.ok(response.body.message.length > 10);
        assert.equal(JSON.stringify(response.body).includes('    at '), false, 'no stack trace');
      });
    }

    const badUploads: Array<[string, Record<string, unknown>, Parameters<typeof uploadForm>[1], number, string]> = [
      ['an invalid version', { projectVersion: 'v1.x' }, {}, 400, 'invalid_version'],
      ['rating F', { securityRating: 'F' }, {}, 400, 'invalid_parameter'],
      ['a negative count', { vulnerabilitiesCount: -1 }, {}, 400, 'invalid_parameter'],
      ['a fractional count', { vulnerabilitiesCount: '1.5' }, {}, 400, 'invalid_parameter'],
      ['a date without offset', { date: '2025-12-17 09:05' }, {}, 400, 'invalid_parameter'],
      ['a day that does not exist', { date: '2024-02-30T00:00:00Z' }, {}, 400, 'invalid_parameter'],
      ['a missing projectName', { projectName: undefined }, {}, 400, 'invalid_parameter'],
      ['an unknown field', { extra: 'x' }, {}, 400, 'invalid_parameter'],
      ['a PDF that is not a PDF', {}, { pdf: Buffer.from('<html>not a pdf</html>') }, 400, 'invalid_file'],
      ['HTML sent as another type', {}, { htmlType: 'application/octet-stream' }, 400, 'invalid_file'],
      ['no PDF', {}, { pdf: null }, 400, 'missing_file'],
      ['no HTML', {}, { html: null }, 400, 'missing_file'],
    ];
    for (const [name, overrides, files, status, code] of badUploads) {
      it(`refuses an upload with ${name} and stores nothing`, async () => {
        const projectName = `Bad upload ${name}`;
        const fields: Record<string, unknown> = { ...sampleFields({ projectName }), ...overrides };
        const response = await upload(server, fields, server.tokens.upload, files);
        assert.equal(response.status, status);
        assert.equal(response.body.code, code);
        assert.match(response.type, /^application\/problem\+json/);
        assert.deepEqual((await list(server, `org=${server.orgId}&minver=0&projectName=${encodeURIComponent(projectName)}`)).body.reports, []);
      });
    }

    it('refuses a second html file with 400, not as a size problem', async () => {
      const form = uploadForm(sampleFields({ projectName: 'Two html' }));
      form.append('html', new Blob([Buffer.from('<p>again</p>')], { type: 'text/html' }), 'again.html');
      const response = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: form });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { code: string }).code, 'invalid_parameter');
      const crowded = uploadForm(sampleFields({ projectName: 'Two html' }));
      for (let i = 0; i < 3; i++) crowded.append('pdf', new Blob([Buffer.from('%PDF-1.4')], { type: 'application/pdf' }), `extra${i}.pdf`);
      const tooMany = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: crowded });
      assert.equal(tooMany.status, 400);
      assert.deepEqual((await list(server, `org=${server.orgId}&minver=0&projectName=Two%20html`)).body.reports, []);
    });

    it('refuses an upload over the size limit with 413', async () => {
      const small = await startTestServer(dialect, { ARKIV_MAX_UPLOAD_BYTES: '2048' });
      try {
        const response = await upload(small, sampleFields(), small.tokens.upload, { pdf: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 1)]) });
        assert.equal(response.status, 413);
        assert.equal(response.body.code, 'payload_too_large');
        assert.deepEqual((await list(small, `org=${small.orgId}&minver=0`)).body.reports, []);
      } finally {
        await small.stop();
      }
    });

    it('enforces token scopes: read cannot upload, upload cannot delete, admin can', async () => {
      assert.equal((await upload(server, sampleFields({ projectName: 'Scoped' }), server.tokens.read)).status, 403);
      const anonymous = await fetch(`${server.url}/security/report`, { method: 'POST', body: uploadForm(sampleFields()) });
      assert.equal(anonymous.status, 401);
      assert.equal((await upload(server, sampleFields({ projectName: 'Scoped' }), 'arkiv_not-a-real-token')).status, 401);
      const created = await upload(server, sampleFields({ projectName: 'Scoped' }));
      const del = (token: string, id = created.body.id) => fetch(`${server.url}/security/report/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      assert.equal(await del(server.tokens.upload), 403);
      const other = await server.addOrganization('Deleting org');
      assert.equal(await del(other.adminToken), 404, 'another organisation cannot see the report');
      assert.equal(await del(server.tokens.admin), 204);
      assert.equal(await del(server.tokens.admin), 404);
      assert.deepEqual((await list(server, `org=${server.orgId}&minver=0&projectName=Scoped`)).body.reports, []);
    });

    it('stops accepting a revoked token', async () => {
      const create = await fetch(`${server.url}/api/orgs/${server.orgId}/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'short-lived', scopes: ['upload'] }),
      });
      assert.equal(create.status, 201);
      const { id, token } = (await create.json()) as { id: string; token: string };
      assert.equal((await upload(server, sampleFields({ projectName: 'Revoked' }), token)).status, 201);
      const listed = (await (await fetch(`${server.url}/api/orgs/${server.orgId}/tokens`, { headers: { authorization: `Bearer ${server.tokens.admin}` } })).json()) as { tokens: Array<{ id: string; prefix: string }> };
      const entry = listed.tokens.find((t) => t.id === id)!;
      assert.ok(token.startsWith(entry.prefix));
      assert.equal(JSON.stringify(listed).includes(token), false, 'listing never shows a token');
      const revoke = await fetch(`${server.url}/api/orgs/${server.orgId}/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(revoke.status, 204);
      assert.equal((await upload(server, sampleFields({ projectName: 'Revoked' }), token)).status, 401);
    });

    it('serves one report file only as a sandboxed attachment, to members of the organisation', async () => {
      const html = Buffer.from('<!doctype html><script>alert(document.cookie)</script><p>untrusted</p>');
      const created = await upload(server, sampleFields({ projectName: 'Attachment' }), server.tokens.upload, { html });
      const url = `${server.url}/api/orgs/${server.orgId}/reports/${created.body.id}/files/html`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${server.tokens.read}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="Attachment_1.0_CWE Top 25_2024.html"/);
      assert.match(response.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), html);
      assert.equal((await fetch(url)).status, 401);
      const other = await server.addOrganization('Outsider');
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${other.adminToken}` } })).status, 403);
      assert.equal((await fetch(url.replace('/html', '/exe'), { headers: { authorization: `Bearer ${server.tokens.read}` } })).status, 400);
    });

    it('requires a read token once the organisation opts in', async () => {
      const org = await server.addOrganization('Private org');
      const patch = (body: unknown, token = org.adminToken) =>
        fetch(`${server.url}/api/orgs/${org.orgId}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal((await patch({ requireReadToken: true }, server.tokens.admin)).status, 403, 'another org\'s admin cannot change it');
      const patched = await patch({ requireReadToken: true });
      assert.equal(patched.status, 200);
      assert.equal(((await patched.json()) as { requireReadToken: boolean }).requireReadToken, true);
      assert.equal((await list(server, `org=${org.orgId}&minver=0`)).status, 401);
      assert.equal((await list(server, `org=${org.orgId}&minver=0`, { authorization: `Bearer ${server.tokens.read}` })).status, 403);
      assert.equal((await list(server, `org=${org.orgId}&minver=0`, { authorization: `Bearer ${org.adminToken}` })).status, 200);
    });
  });
}

describe('anonymous read rate limit', () => {
  it('answers 429 with Retry-After past the limit, and does not limit token holders', async () => {
    const server = await startTestServer('sqlite', { ARKIV_READ_RATE_LIMIT: '3' });
    try {
      const query = `org=${server.orgId}&version=1.0`;
      for (let i = 0; i < 3; i++) assert.equal((await list(server, query)).status, 200);
      const limited = await list(server, query);
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      assert.equal((await list(server, query, { authorization: `Bearer ${server.tokens.read}` })).status, 200);
    } finally {
      await server.stop();
    }
  });
});

for (const dialect of testDialects) {
  describe(`list cache on ${dialect}`, () => {
    it('serves every change at once, including changes made by another process', async () => {
      const server = await startTestServer(dialect);
      try {
        const query = `org=${server.orgId}&minver=0`;
        assert.deepEqual(versionsOf((await list(server, query)).body), []);
        await upload(server, sampleFields({ projectVersion: '1.0' }));
        assert.deepEqual(versionsOf((await list(server, query)).body), ['1.0'], 'an upload is visible on the next request');
        assert.deepEqual(versionsOf((await list(server, query)).body), ['1.0'], 'a cached answer is the same answer');
        // A write by another connection, as another replica's or the `arkiv` CLI's would be. SQLite
        // sees it on the next request (data_version); PostgreSQL once its notification arrived.
        const { openDatabase } = await import('../db/connect.js');
        const { storeReports } = await import('./report-store.js');
        const { validateReportMetadata } = await import('./report-input.js');
        const { updateOrganization } = await import('../orgs/org-store.js');
        const other = openDatabase({ databaseUrl: server.database.databaseUrl, dataDir: server.database.dataDir });
        const elsewhere = async (write: () => Promise<unknown>) => {
          const before = server.ctx.database.changes.current();
          await write();
          for (let waited = 0; dialect === 'postgres' && server.ctx.database.changes.current() === before; waited += 5) {
            assert.ok(waited < 10_000, 'the notification never came');
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        };
        try {
          await elsewhere(() => storeReports(other.db, [], { orgId: server.orgId, initiator: 'system', reports: [{ metadata: validateReportMetadata(sampleFields({ projectVersion: '2.0' })), files: [] }] }));
          assert.deepEqual(versionsOf((await list(server, query)).body), ['2.0', '1.0']);
          await elsewhere(() => updateOrganization(other.db, server.orgId, { requireReadToken: true }));
          assert.equal((await list(server, query)).status, 401, 'the read-token flag set elsewhere applies at once');
          await elsewhere(() => updateOrganization(other.db, server.orgId, { requireReadToken: false }));
          assert.equal((await list(server, query)).status, 200);
        } finally {
          await other.close();
        }
        const [first] = (await list(server, query)).body.reports;
        const del = await fetch(`${server.url}/security/report/${first.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}` } });
        assert.equal(del.status, 204);
        assert.deepEqual(versionsOf((await list(server, query)).body), ['1.0'], 'a delete is visible on the next request');
      } finally {
        await server.stop();
      }
    });
  });
}

for (const dialect of testDialects) {
  describe(`large unpaginated lists on ${dialect}`, () => {
    it('returns every match exactly once, in order, streamed across internal pages', async () => {
      const server = await startTestServer(dialect);
      try {
        const { storeReports } = await import('./report-store.js');
        const { validateReportMetadata } = await import('./report-input.js');
        const { STREAM_PAGE_SIZE } = await import('./list-stream.js');
        const count = STREAM_PAGE_SIZE * 2 + 137;
        const reports = Array.from({ length: count }, (_, i) => ({
          metadata: validateReportMetadata(sampleFields({ projectName: `Product ${i % 7}`, projectVersion: `${i % 13}.${i}.0`, reportType: i % 2 ? 'CWE Top 25' : 'OWASP Top 10' })),
          files: [],
        }));
        await storeReports(server.ctx.db, [], { orgId: server.orgId, initiator: 'system', reports });
        const response = await fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        const body = (await response.json()) as { organizationId: string; reports: Array<{ id: string }> };
        assert.deepEqual(Object.keys(body), ['organizationId', 'reports']);
        assert.equal(body.reports.length, count);
        assert.equal(new Set(body.reports.map((r) => r.id)).size, count);
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = (await (await fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0&limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { reports: Array<{ id: string }>; nextCursor: string | null };
          paged.push(...page.reports.map((r) => r.id));
          cursor = page.nextCursor;
        } while (cursor);
        assert.deepEqual(body.reports.map((r) => r.id), paged, 'the same order as cursor paging');
      } finally {
        await server.stop();
      }
    });
  });
}
