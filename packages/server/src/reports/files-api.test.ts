import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pino } from 'pino';
import { sql } from 'kysely';
import yauzl from 'yauzl';
import type { BlobStore } from '../blobs/blob-store.js';
import type { AppContext } from '../context.js';
import type { DialectName } from '../db/connect.js';
import { htmlBytes, pdfBytes, sampleFields, uploadForm, type UploadFields } from '../test/fixtures.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';

const MAX_REPORTS = 5;
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** What the server under test did: its log lines and every blob stream it opened. */
interface Observed {
  logLines: Array<{ level: number; msg: string }>;
  opened: Array<{ key: string; stream: Readable }>;
}

function observe(observed: Observed) {
  return (ctx: AppContext) => {
    ctx.log = pino({ level: 'info' }, new Writable({
      write(line: Buffer, _encoding, callback) {
        observed.logLines.push(JSON.parse(line.toString()));
        callback();
      },
    }));
    const inner = ctx.blobs;
    const watching: BlobStore = {
      kind: inner.kind,
      put: (staged) => inner.put(staged),
      has: (key) => inner.has(key),
      delete: (key) => inner.delete(key),
      read: (key) => {
        const stream = inner.read(key);
        observed.opened.push({ key, stream });
        return stream;
      },
    };
    ctx.blobs = watching;
  };
}

interface Uploaded {
  id: string;
  fields: UploadFields;
  html: Buffer;
  pdf: Buffer;
}

async function upload(server: TestServer, overrides: Partial<UploadFields> = {}, pdf = pdfBytes(crypto.randomUUID()), token = server.tokens.upload): Promise<Uploaded> {
  const fields = sampleFields({ projectVersion: `1.${crypto.randomInt(1_000_000)}.0`, ...overrides });
  const html = htmlBytes(`Report ${crypto.randomUUID()}`);
  const response = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: uploadForm(fields, { html, pdf }) });
  const body = (await response.json()) as { id: string };
  assert.equal(response.status, 201, JSON.stringify(body));
  return { id: body.id, fields, html, pdf };
}

const filesUrl = (server: TestServer, ids: string[], org = server.orgId) =>
  `${server.url}/security/report/files?org=${org}${ids.map((id) => `&reports=${id}`).join('')}`;

/** Downloads to a temp file; a transfer that breaks off leaves what arrived and the error. */
async function download(url: string, dir: string) {
  const response = await fetch(url);
  const file = path.join(dir, `${crypto.randomUUID()}.zip`);
  let error: unknown;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body ?? []) chunks.push(Buffer.from(chunk as Uint8Array));
  } catch (caught) {
    error = caught;
  }
  const body = Buffer.concat(chunks);
  fs.writeFileSync(file, body);
  return { response, file, body, error };
}

interface ZipEntryRead {
  name: string;
  bytes: Buffer;
}

/** Every entry of a ZIP, read with yauzl (CRC-32 and sizes checked by the reader). */
async function readZip(file: string): Promise<ZipEntryRead[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true });
  const entries: ZipEntryRead[] = [];
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.push({ name: entry.fileName, bytes: Buffer.concat(chunks) });
  }
  return entries;
}

async function expectProblem(url: string, code = 'invalid_parameter') {
  const response = await fetch(url);
  assert.equal(response.status, 400, url);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await response.json()) as { code: string }).code, code);
}

// PostgreSQL runs twice: blobs on disk, and blobs in the database (ARKIV_BLOB_STORE=postgres).
type Setup = { dialect: DialectName; blobStore: 'fs' | 'postgres' };
const setups = testDialects.flatMap((dialect): Setup[] =>
  dialect === 'postgres' ? [{ dialect, blobStore: 'fs' }, { dialect, blobStore: 'postgres' }] : [{ dialect, blobStore: 'fs' }],
);

for (const { dialect, blobStore } of setups) {
  describe(`GET /security/report/files on ${dialect} with ${blobStore} blobs`, () => {
    let server: TestServer;
    let dir: string;
    const observed: Observed = { logLines: [], opened: [] };
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-files-'));
      server = await startTestServer(dialect, { ARKIV_BLOB_STORE: blobStore, ARKIV_MAX_ARCHIVE_REPORTS: String(MAX_REPORTS) }, observe(observed));
    });
    after(async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('streams a ZIP of two reports that independent readers verify byte for byte', async () => {
      const first = await upload(server, { projectName: 'Alpha' });
      const second = await upload(server, { projectName: 'Beta', reportType: 'OWASP Top 10', reportVersion: 2021 });
      const { response, file, body, error } = await download(filesUrl(server, [first.id, second.id]), dir);
      assert.equal(error, undefined);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/zip');
      assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="arkiv-reports-\d{8}-\d{6}\.zip"$/);
      assert.equal(Number(response.headers.get('content-length')), body.length);
      assert.match(execFileSync('unzip', ['-t', file], { encoding: 'utf8' }), /No errors detected/);

      const entries = await readZip(file);
      const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.bytes.toString());
      assert.equal(manifest.organizationId, server.orgId);
      assert.deepEqual(manifest.reports.map((r: { id: string }) => r.id), [first.id, second.id]);
      // Per report: html, pdf and findings.sarif (its findings, here none), then manifest.json and its signature.
      assert.equal(entries.length, 2 + 2 * 3);
      for (const [i, uploaded] of [first, second].entries()) {
        const listed = manifest.reports[i];
        assert.equal(listed.projectName, uploaded.fields.projectName);
        assert.equal(listed.projectVersion, uploaded.fields.projectVersion);
        for (const kind of ['html', 'pdf'] as const) {
          const meta = listed.files.find((f: { kind: string }) => f.kind === kind);
          const entry = entries.find((e) => e.name === meta.path)!;
          assert.ok(entry, `${meta.path} is in the archive`);
          assert.ok(entry.bytes.equals(uploaded[kind]), `${meta.path} holds the uploaded bytes`);
          assert.equal(meta.sha256, sha256(uploaded[kind]));
          assert.equal(meta.size, uploaded[kind].length);
        }
        const sarif = listed.files.find((f: { kind: string }) => f.kind === 'sarif');
        const sarifEntry = entries.find((e) => e.name === sarif.path)!;
        assert.equal(sarif.path, `${listed.folder}/findings.sarif`);
        assert.equal(sarif.sha256, sha256(sarifEntry.bytes));
        assert.deepEqual(JSON.parse(sarifEntry.bytes.toString('utf8')).runs[0].results, []);
      }
    });

    it('serves a repeated id once, whatever its letter case', async () => {
      const report = await upload(server);
      const { response, file } = await download(filesUrl(server, [report.id, report.id, report.id.toUpperCase()]), dir);
      assert.equal(response.status, 200);
      const entries = await readZip(file);
      assert.equal(entries.length, 5);
      assert.equal(JSON.parse(entries.find((e) => e.name === 'manifest.json')!.bytes.toString()).reports.length, 1);
    });

    it('answers 204 when a requested report does not exist in the organisation', async () => {
      const mine = await upload(server);
      const other = await server.addOrganization('Other organisation');
      const theirs = await upload(server, {}, pdfBytes('theirs'), other.adminToken);
      for (const ids of [[mine.id, crypto.randomUUID()], [theirs.id], [mine.id, theirs.id]]) {
        const response = await fetch(filesUrl(server, ids));
        assert.equal(response.status, 204, ids.join(','));
        assert.equal((await response.arrayBuffer()).byteLength, 0);
      }
      const theirsForThem = await fetch(filesUrl(server, [theirs.id], other.orgId));
      assert.equal(theirsForThem.status, 200);
      await theirsForThem.arrayBuffer();
    });

    it('rejects malformed requests with 400 problem+json', async () => {
      const id = crypto.randomUUID();
      await expectProblem(`${server.url}/security/report/files?org=not-a-uuid&reports=${id}`);
      await expectProblem(`${server.url}/security/report/files?org=${server.orgId}&reports=not-a-uuid`);
      await expectProblem(`${server.url}/security/report/files?org=${server.orgId}&reports=${id}&reports=12345`);
      await expectProblem(`${server.url}/security/report/files?org=${server.orgId}`);
      await expectProblem(`${server.url}/security/report/files?org=${server.orgId}&reports=`);
      await expectProblem(`${server.url}/security/report/files?reports=${id}`);
      const tooMany = Array.from({ length: MAX_REPORTS + 1 }, () => crypto.randomUUID());
      await expectProblem(filesUrl(server, tooMany));
      // Repeats do not count against the limit: they are served once.
      const response = await fetch(filesUrl(server, Array.from({ length: MAX_REPORTS + 1 }, () => id)));
      assert.equal(response.status, 204);
    });

    it('keeps hostile and unicode project names inside their own folder', async () => {
      const names = ['../../etc/passwd', 'a/b\\c/..\\..\\d', '/absolute', 'Prodüct 製品 🚀', '..'];
      const reports = [];
      for (const projectName of names) reports.push(await upload(server, { projectName }));
      const { response, file } = await download(filesUrl(server, reports.map((r) => r.id)), dir);
      assert.equal(response.status, 200);
      const entries = await readZip(file);
      const manifest = JSON.parse(entries.find((e) => e.name === 'manifest.json')!.bytes.toString());
      const folders = new Set<string>();
      for (const entry of entries.filter((e) => !e.name.startsWith('manifest.json'))) {
        const parts = entry.name.split('/');
        assert.equal(parts.length, 2, entry.name);
        assert.ok(parts.every((p) => p !== '' && p !== '.' && p !== '..' && !p.includes('\\')), entry.name);
        folders.add(parts[0]!);
      }
      assert.equal(folders.size, names.length);
      assert.ok([...folders].some((f) => f.includes('製品')), 'unicode letters survive');
      assert.deepEqual(manifest.reports.map((r: { projectName: string }) => r.projectName), names);

      const target = path.join(dir, `extract-${crypto.randomUUID()}`);
      execFileSync('unzip', ['-q', file, '-d', target]);
      const extracted = fs.readdirSync(target, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      assert.equal(extracted.length, entries.length);
      for (const entry of extracted) assert.ok(path.resolve(entry.parentPath, entry.name).startsWith(`${target}${path.sep}`));
    });

    it('breaks the transfer and logs it when a stored blob no longer matches its SHA-256', async () => {
      const report = await upload(server, {}, pdfBytes(crypto.randomUUID(), crypto.randomBytes(2 * 1024 * 1024)));
      const pdfKey = `sha256/${sha256(report.pdf)}`;
      await corruptBlob(server, blobStore, pdfKey);
      const before = observed.logLines.length;
      const { response, file, body, error } = await download(filesUrl(server, [report.id]), dir);
      assert.equal(response.status, 200, 'the corruption shows only once streaming reached it');
      const cutShort = error !== undefined || body.length < Number(response.headers.get('content-length'));
      assert.ok(cutShort, 'the client sees a broken transfer');
      assert.throws(() => execFileSync('unzip', ['-t', file], { stdio: 'pipe' }), 'never a complete valid ZIP');
      await waitFor(() => observed.logLines.slice(before).some((l) => l.level >= 50 && /SHA-256/.test(JSON.stringify(l))));
    });

    it('stops reading the blob when the client disconnects mid-download', async () => {
      const report = await upload(server, {}, pdfBytes(crypto.randomUUID(), crypto.randomBytes(32 * 1024 * 1024)));
      const pdfKey = `sha256/${sha256(report.pdf)}`;
      const logged = observed.logLines.length;
      // node:http, not fetch: an aborted undici fetch leaves a fresh idle connection behind that
      // the server's close then waits for (keep-alive timeout), which would slow the suite down.
      await new Promise<void>((resolve, reject) => {
        const request = http.get(filesUrl(server, [report.id]), { agent: false }, (response) => {
          assert.equal(response.statusCode, 200);
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received >= 256 * 1024 && observed.opened.some((o) => o.key === pdfKey)) {
              request.destroy();
              resolve();
            }
          });
          response.on('end', () => reject(new Error('the whole archive arrived before the client could leave')));
        });
        request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
      });
      const blobStream = observed.opened.find((o) => o.key === pdfKey)!.stream;
      await waitFor(() => blobStream.destroyed);
      assert.equal(blobStream.readableEnded, false, 'the server stopped before the end of the blob');
      // A client leaving is normal: nothing worth an operator's attention is logged.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(observed.logLines.slice(logged).filter((l) => l.level >= 50), []);
    });
  });
}

async function corruptBlob(server: TestServer, blobStore: string, key: string): Promise<void> {
  if (blobStore === 'postgres') {
    // Flip one byte in the middle of the second chunk: same length, different content.
    await sql`update blob_chunks set data = set_byte(data, 1000, 255 - get_byte(data, 1000)) where blob_key = ${key} and seq = 1`.execute(server.ctx.db);
    return;
  }
  const hash = key.slice('sha256/'.length);
  const file = path.join(server.database.dataDir, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash);
  const bytes = fs.readFileSync(file);
  bytes[1_500_000] = 255 - bytes[1_500_000]!;
  fs.writeFileSync(file, bytes);
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
