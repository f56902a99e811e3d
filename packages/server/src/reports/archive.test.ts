import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../blobs/blob-store.js';
import { FsBlobStore } from '../blobs/fs-store.js';
import { stageStream } from '../blobs/staging.js';
import { htmlBytes, pdfBytes } from '../test/fixtures.js';
import { createReportArchive, planArchive, safeName } from './archive.js';
import type { ReportFile, ReportWithFiles } from './report-model.js';

// The archive is checked with Info-ZIP's unzip/zipinfo: a reader that shares no code with yazl.
const unzip = (...args: string[]) => execFileSync('unzip', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

const silentLog = { error: () => {} };
const keyPair = crypto.generateKeyPairSync('ed25519');
const signer = { kid: 'test-kid', sign: (bytes: Buffer) => crypto.sign(null, bytes, keyPair.privateKey) };

describe('safeName', () => {
  it('keeps letters, digits and unicode, replaces path syntax and control characters', () => {
    assert.equal(safeName('Prodüct 製品 1.0'), 'Prodüct 製品 1.0');
    for (const hostile of ['../../etc/passwd', '..\\..\\windows\\system32', '/abs/path', 'a/b\\c', 'nul\u0000byte', 'C:\\x', '.hidden', '..', '']) {
      const name = safeName(hostile);
      assert.doesNotMatch(name, /[/\\\u0000:]/, hostile);
      assert.ok(!name.startsWith('.'), `${hostile} → ${name}`);
      assert.ok(name.length > 0);
    }
    assert.ok(safeName('x'.repeat(500)).length <= 80);
  });
});

function report(overrides: Partial<ReportWithFiles> = {}): ReportWithFiles {
  return {
    organizationId: crypto.randomUUID(),
    id: crypto.randomUUID(),
    projectName: 'Test product',
    projectVersion: '1.0',
    reportType: 'CWE Top 25',
    reportVersion: 2024,
    date: '2025-12-17T09:05:48.5946432+00:00',
    uploadDate: '2025-12-17T09:05:48.594+00:00',
    vulnerabilitiesCount: 0,
    securityRating: 'A',
    files: [],
    ...overrides,
  };
}

describe('planArchive', () => {
  it('puts each report in its own folder that no name can escape', () => {
    const plan = planArchive([
      report({ projectName: '../../etc/passwd', files: [{ kind: 'pdf', fileName: '../../../evil.sh', mediaType: 'application/pdf', size: 1, sha256: 'x', blobKey: 'k' }] }),
      report({ projectName: 'a/b\\c', projectVersion: '2.0.0-beta.1' }),
    ]);
    for (const { folder, files } of plan) {
      assert.doesNotMatch(folder, /[/\\]|^\./);
      for (const file of files) {
        assert.equal(file.path.split('/').length, 2, file.path);
        assert.ok(file.path.startsWith(`${folder}/`));
        assert.doesNotMatch(file.path, /\.\.|\\/);
      }
    }
    assert.equal(plan[0]!.files[0]!.path.endsWith('.pdf'), true, 'the extension follows the kind, not the uploaded name');
  });

  it('gives reports whose names clean up to the same folder distinct folders', () => {
    const plan = planArchive([report({ projectName: 'App/One' }), report({ projectName: 'App:One' }), report({ projectName: 'APP_ONE' })]);
    const folders = plan.map((p) => p.folder.toLowerCase());
    assert.equal(new Set(folders).size, 3, folders.join(', '));
  });
});

describe('createReportArchive', () => {
  let root: string;
  let blobs: FsBlobStore;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-archive-'));
    blobs = new FsBlobStore(path.join(root, 'blobs'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  async function stored(kind: 'html' | 'pdf', bytes: Buffer): Promise<ReportFile> {
    const staged = await stageStream(Readable.from([bytes]), blobs.stagingDir, 1 << 30);
    const blobKey = await blobs.put(staged);
    return { kind, fileName: `report.${kind}`, mediaType: kind === 'pdf' ? 'application/pdf' : 'text/html', size: bytes.length, sha256: staged.sha256, blobKey };
  }

  async function twoReports() {
    const contents = [
      { html: htmlBytes('First'), pdf: Buffer.concat([pdfBytes('First'), crypto.randomBytes(300_000)]) },
      { html: htmlBytes('Zweite Ausgabe ü'), pdf: pdfBytes('Second') },
    ];
    const reports = await Promise.all(
      contents.map(async (c, i) =>
        report({ projectName: i === 0 ? 'Alpha' : 'Beta/../β', files: [await stored('html', c.html), await stored('pdf', c.pdf)] }),
      ),
    );
    return { reports, contents };
  }

  async function writeArchive(reports: ReportWithFiles[], options: { forceZip64?: boolean; store?: BlobStore } = {}) {
    const archive = createReportArchive({ organizationId: reports[0]!.organizationId, reports, blobs: options.store ?? blobs, log: silentLog, now: new Date('2026-01-02T03:04:05Z'), signer, ...options });
    const file = path.join(root, `${crypto.randomUUID()}.zip`);
    await pipeline(archive.stream, fs.createWriteStream(file));
    return { file, size: await archive.size };
  }

  for (const forceZip64 of [false, true]) {
    it(`writes a ZIP${forceZip64 ? '64' : ''} that unzip verifies, with every byte and the manifest right`, async () => {
      const { reports, contents } = await twoReports();
      const { file, size } = await writeArchive(reports, { forceZip64 });
      assert.equal(fs.statSync(file).size, size, 'the announced size is the written size');
      assert.match(unzip('-t', file).toString(), /No errors detected/);

      const manifest = JSON.parse(unzip('-p', file, 'manifest.json').toString());
      assert.equal(manifest.reports.length, 2);
      const listed = unzip('-Z1', file).toString().trim().split('\n').sort();
      const expected = ['manifest.json', 'manifest.json.sig', ...manifest.reports.flatMap((r: { files: Array<{ path: string }> }) => r.files.map((f) => f.path))].sort();
      assert.deepEqual(listed, expected);
      manifest.reports.forEach((entry: { id: string; files: Array<{ kind: 'html' | 'pdf'; path: string; size: number; sha256: string }> }, i: number) => {
        assert.equal(entry.id, reports[i]!.id);
        for (const f of entry.files) {
          const bytes = unzip('-p', file, f.path);
          assert.ok(bytes.equals(contents[i]![f.kind]), `${f.path} holds the uploaded bytes`);
          assert.equal(f.size, bytes.length);
          assert.equal(f.sha256, sha256(bytes));
        }
      });
      // The manifest comes last (after the entries it names) and its signature verifies with openssl.
      assert.deepEqual(unzip('-Z1', file).toString().trim().split('\n').slice(-2), ['manifest.json', 'manifest.json.sig']);
      assert.equal(manifest.kid, 'test-kid');
      assert.equal(manifest.generatedAt, '2026-01-02T03:04:05.000Z');
      assert.deepEqual(manifest.entries, manifest.reports.flatMap((r: { files: Array<{ path: string; size: number; sha256: string }> }) => r.files.map(({ path, size, sha256 }) => ({ path, size, sha256 }))));
      const signatureLine = unzip('-p', file, 'manifest.json.sig').toString();
      assert.match(signatureLine, /^[A-Za-z0-9+/]{86}==\n$/);
      const work = fs.mkdtempSync(path.join(root, 'openssl-'));
      fs.writeFileSync(path.join(work, 'manifest.json'), unzip('-p', file, 'manifest.json'));
      fs.writeFileSync(path.join(work, 'sig.bin'), Buffer.from(signatureLine, 'base64'));
      fs.writeFileSync(path.join(work, 'pub.pem'), keyPair.publicKey.export({ format: 'pem', type: 'spki' }));
      const verified = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'manifest.json', '-sigfile', 'sig.bin'], { cwd: work, encoding: 'utf8' });
      assert.match(verified, /Signature Verified Successfully/);
      // The ZIP64 end-of-central-directory record (PK\x06\x06) sits in the last 98 bytes exactly when asked for.
      const tail = fs.readFileSync(file).subarray(-98);
      assert.equal(tail.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), forceZip64);
      // …and every central directory record carries the ZIP64 extra field (ID 0x0001).
      const zip64Records = execFileSync('zipinfo', ['-v', file], { encoding: 'utf8' }).match(/ID 0x0001 \(PKWARE 64-bit sizes\)/g) ?? [];
      assert.equal(zip64Records.length, forceZip64 ? listed.length : 0);
    });
  }

  it('fails the stream and logs when a blob no longer matches its SHA-256', async () => {
    const { reports } = await twoReports();
    const pdf = reports[0]!.files.find((f) => f.kind === 'pdf')!;
    const blobPath = path.join(blobs.root, 'sha256', pdf.sha256.slice(0, 2), pdf.sha256.slice(2, 4), pdf.sha256);
    const corrupted = fs.readFileSync(blobPath);
    corrupted[corrupted.length - 10] = corrupted[corrupted.length - 10]! ^ 0xff;
    fs.writeFileSync(blobPath, corrupted);
    const logged: object[] = [];
    const archive = createReportArchive({ organizationId: reports[0]!.organizationId, reports, blobs, log: { error: (details) => logged.push(details) }, now: new Date(), signer });
    const file = path.join(root, 'corrupt.zip');
    await assert.rejects(pipeline(archive.stream, fs.createWriteStream(file)), /does not match its recorded SHA-256/);
    assert.ok(fs.statSync(file).size < (await archive.size), 'the output is cut short');
    assert.throws(() => unzip('-t', file));
    assert.equal(logged.length >= 1, true);
  });

  it('never sends the last bytes of an entry whose SHA-256 does not match', async () => {
    // Over several of the hashing thread's 1 MiB chunks, so the earlier ones do go out before the verdict.
    const pdf = await stored('pdf', Buffer.concat([pdfBytes('Tampered'), crypto.randomBytes(3 * 1024 * 1024 + 12345)]));
    const blobPath = path.join(blobs.root, 'sha256', pdf.sha256.slice(0, 2), pdf.sha256.slice(2, 4), pdf.sha256);
    const marker = Buffer.from(`tampered-${crypto.randomUUID()}`);
    const bytes = fs.readFileSync(blobPath);
    marker.copy(bytes, bytes.length - marker.length);
    fs.writeFileSync(blobPath, bytes);
    const r = report({ files: [await stored('html', htmlBytes('Tampered')), pdf] });
    const archive = createReportArchive({ organizationId: r.organizationId, reports: [r], blobs, log: silentLog, now: new Date(), signer });
    const received: Buffer[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of archive.stream) received.push(chunk as Buffer);
      })(),
      /does not match its recorded SHA-256/,
    );
    const output = Buffer.concat(received);
    assert.ok(output.length > 2 * 1024 * 1024, 'the entry streamed before its end');
    assert.ok(output.includes(bytes.subarray(1024 * 1024, 1024 * 1024 + 64)), 'earlier bytes of the entry were sent');
    assert.equal(output.includes(marker), false, 'the bytes that failed the check were not');
  });

  it('closes the blob being read when the consumer goes away', async () => {
    const big = await stored('pdf', Buffer.concat([pdfBytes('Big'), crypto.randomBytes(8 * 1024 * 1024)]));
    const opened: Readable[] = [];
    const watching: BlobStore = {
      kind: blobs.kind,
      put: (staged) => blobs.put(staged),
      has: (key) => blobs.has(key),
      delete: (key) => blobs.delete(key),
      read: (key) => {
        const stream = blobs.read(key);
        opened.push(stream);
        return stream;
      },
    };
    const r = report({ files: [await stored('html', htmlBytes('Big')), big] });
    const archive = createReportArchive({ organizationId: r.organizationId, reports: [r], blobs: watching, log: silentLog, now: new Date(), signer });
    let received = 0;
    for await (const chunk of archive.stream) {
      received += (chunk as Buffer).length;
      if (opened.length === 2 && received > 1024 * 1024) break;
    }
    const pdfStream = opened[1]!;
    if (!pdfStream.closed) await new Promise((resolve) => pdfStream.once('close', resolve));
    assert.equal(pdfStream.destroyed, true);
    assert.equal(pdfStream.readableEnded, false, 'the blob was not read to its end');
  });
});
