import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uploadForm, sampleFields } from '../test/fixtures.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';

// UUIDs are case-insensitive: an organisation ID typed in capitals names the same organisation,
// for its reports and for its read-token requirement alike.
for (const dialect of testDialects) {
  describe(`read API with an upper-case organisation ID (${dialect})`, () => {
    let server: TestServer;
    let reportId: string;
    before(async () => {
      server = await startTestServer(dialect);
      const upload = await fetch(`${server.url}/security/report`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.tokens.upload}` },
        body: uploadForm(sampleFields({ projectVersion: '2.1.0' })),
      });
      assert.equal(upload.status, 201);
      reportId = ((await upload.json()) as { id: string }).id;
    });
    after(() => server.stop());

    const upper = () => server.orgId.toUpperCase();

    it('lists the same reports', async () => {
      const response = await fetch(`${server.url}/security/report/list?org=${upper()}&version=2.1`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as { organizationId: string; reports: Array<{ id: string }> };
      assert.equal(body.organizationId, server.orgId);
      assert.deepEqual(body.reports.map((r) => r.id), [reportId]);
    });

    it('downloads the same reports', async () => {
      const response = await fetch(`${server.url}/security/report/files?org=${upper()}&reports=${reportId.toUpperCase()}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/zip');
      assert.ok((await response.arrayBuffer()).byteLength > 0);
    });

    it('enforces the organisation read-token requirement', async () => {
      const patch = await fetch(`${server.url}/api/orgs/${server.orgId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${server.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requireReadToken: true }),
      });
      assert.equal(patch.status, 200);
      const list = `${server.url}/security/report/list?org=${upper()}&version=2.1`;
      assert.equal((await fetch(list)).status, 401);
      assert.equal((await fetch(`${server.url}/security/report/files?org=${upper()}&reports=${reportId}`)).status, 401);
      assert.equal((await fetch(list, { headers: { authorization: `Bearer ${server.tokens.read}` } })).status, 200);
    });
  });
}
