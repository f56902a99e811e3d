import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import { openDatabase } from '../db/connect.js';
import { pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';
import { startServeProcess } from '../test/serve-process.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { startTestServer } from '../test/test-server.js';
import { verifyAuditChain } from './audit-verify.js';

const MiB = 1024 * 1024;

/** The download entries of an organisation, read from the database after the server is gone. */
async function downloadsIn(database: TestDatabase, orgId: string): Promise<Array<{ format: string; bytes: number; complete: boolean; actor: string }>> {
  const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 1 });
  try {
    const rows = await handle.db.selectFrom('audit_log').select(['details', 'actor_kind']).where('org_id', '=', orgId).where('action', '=', 'report.download').orderBy('seq').execute();
    assert.equal((await verifyAuditChain(handle.db, orgId)).intact, true);
    return rows.map((row) => {
      const details = JSON.parse(row.details) as { format: string; bytes: number; complete: boolean };
      return { format: details.format, bytes: details.bytes, complete: details.complete, actor: row.actor_kind };
    });
  } finally {
    await handle.close();
  }
}

for (const dialect of testDialects) {
  describe(`download entries at shutdown (${dialect})`, () => {
    it('a download that ended just before the server closes is written before the database closes', async () => {
      const server = await startTestServer(dialect);
      let closed = false;
      try {
        const auth = { authorization: `Bearer ${server.tokens.admin}` };
        const uploaded = await fetch(`${server.url}/security/report`, { method: 'POST', headers: auth, body: uploadForm(sampleFields()) });
        const { id } = (await uploaded.json()) as { id: string };
        const zip = await fetch(`${server.url}/security/report/files?org=${server.orgId}&reports=${id}`, { headers: auth });
        const zipBytes = (await zip.arrayBuffer()).byteLength;
        const pdf = await fetch(`${server.url}/api/orgs/${server.orgId}/reports/${id}/files/pdf`, { headers: auth });
        assert.equal(pdf.status, 200);
        const pdfLength = (await pdf.arrayBuffer()).byteLength;
        // At once: the entries are still queued for their batch.
        await server.close();
        closed = true;
        assert.deepEqual(await downloadsIn(server.database, server.orgId), [
          { format: 'zip', bytes: zipBytes, complete: true, actor: 'token' },
          { format: 'pdf', bytes: pdfLength, complete: true, actor: 'token' },
        ]);
      } finally {
        if (!closed) await server.close();
        await server.database.drop();
      }
    });

    it('a download still being sent when the server starts closing is recorded once it ends', async () => {
      const server = await startTestServer(dialect);
      try {
        const auth = { authorization: `Bearer ${server.tokens.admin}` };
        const big = pdfBytes('large', Buffer.alloc(8 * MiB, 7));
        const uploaded = await fetch(`${server.url}/security/report`, { method: 'POST', headers: auth, body: uploadForm(sampleFields(), { pdf: big }) });
        const { id } = (await uploaded.json()) as { id: string };
        // A client that has the headers but reads the body only after the close began: the
        // response is in flight while the server closes (it waits for in-flight requests).
        const { port } = new URL(server.url);
        const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
          http.get({ host: '127.0.0.1', port, path: `/api/orgs/${server.orgId}/reports/${id}/files/pdf`, headers: auth }, resolve).on('error', reject),
        );
        response.pause();
        const closing = server.close();
        await new Promise((resolve) => setTimeout(resolve, 200));
        let received = 0;
        response.on('data', (chunk: Buffer) => (received += chunk.length));
        response.resume();
        await new Promise((resolve) => response.on('end', resolve));
        await closing;
        assert.equal(received, big.length);
        assert.deepEqual(await downloadsIn(server.database, server.orgId), [{ format: 'pdf', bytes: big.length, complete: true, actor: 'token' }]);
      } finally {
        await server.close();
        await server.database.drop();
      }
    });

    it('SIGTERM right after a download: the process writes its entry before it exits', async () => {
      const database = await createTestDatabase(dialect);
      const serve = await startServeProcess(['serve', '--no-worker'], {
        ...process.env,
        ARKIV_PORT: '0',
        ARKIV_DATA_DIR: database.dataDir,
        ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
        ARKIV_LOG_LEVEL: 'warn',
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      }).catch(async (error: unknown) => {
        await database.drop();
        throw error;
      });
      try {
        const token = /Admin token:\s+(\S+)/.exec(serve.output())![1]!;
        const orgId = /Organisation ID: (\S+)/.exec(serve.output())![1]!;
        const auth = { authorization: `Bearer ${token}` };
        const uploaded = await fetch(`${serve.url}/security/report`, { method: 'POST', headers: auth, body: uploadForm(sampleFields()) });
        assert.equal(uploaded.status, 201, await uploaded.clone().text());
        const { id } = (await uploaded.json()) as { id: string };
        const zip = await fetch(`${serve.url}/security/report/files?org=${orgId}&reports=${id}`, { headers: auth });
        const zipBytes = (await zip.arrayBuffer()).byteLength;
        serve.child.kill('SIGTERM');
        assert.equal(await serve.exited, 0, serve.output());
        assert.deepEqual(await downloadsIn(database, orgId), [{ format: 'zip', bytes: zipBytes, complete: true, actor: 'token' }]);
      } finally {
        if (serve.child.exitCode === null) {
          serve.child.kill('SIGKILL');
          await serve.exited;
        }
        await database.drop();
      }
    });
  });
}
