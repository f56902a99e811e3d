import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ZipFile } from 'yazl';
import { ArchiveError, verifyArchive } from './verify-archive.js';

const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
const keys = async () => new Map([['k1', publicKey]]);
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

/** An archive laid out as Arkiv's, written by yazl (the server's writer) with the options given. */
async function archive(file: string, options: { forceZip64Format: boolean; compress: boolean }) {
  const files = { 'a/report.html': Buffer.from('<html>a</html>'), 'a/report.pdf': crypto.randomBytes(70_000) };
  const manifest = Buffer.from(
    `${JSON.stringify({ format: 'arkiv-archive/1', organizationId: 'org', generatedAt: '2026-01-01T00:00:00.000Z', kid: 'k1', entries: Object.entries(files).map(([p, b]) => ({ path: p, size: b.length, sha256: sha256(b) })), reports: [] }, null, 2)}\n`,
  );
  const zip = new ZipFile();
  for (const [name, bytes] of Object.entries(files)) zip.addBuffer(bytes, name, { compress: options.compress, forceZip64Format: options.forceZip64Format });
  zip.addBuffer(manifest, 'manifest.json', { compress: false, forceZip64Format: options.forceZip64Format });
  zip.addBuffer(Buffer.from(`${crypto.sign(null, manifest, privateKey).toString('base64')}\n`), 'manifest.json.sig', { compress: false, forceZip64Format: options.forceZip64Format });
  zip.end({ forceZip64Format: options.forceZip64Format, comment: '' });
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(fs.createWriteStream(file)).on('finish', resolve).on('error', reject));
}

describe('verifyArchive', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-verify-unit-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const options of [{ forceZip64Format: true, compress: false }, { forceZip64Format: false, compress: true }]) {
    it(`reads ${options.forceZip64Format ? 'ZIP64 records' : 'deflated entries (a re-packed archive)'} and finds it intact`, async () => {
      const file = path.join(dir, `${crypto.randomUUID()}.zip`);
      await archive(file, options);
      const verdict = await verifyArchive(file, keys);
      assert.deepEqual(verdict.problems, []);
      assert.equal(verdict.files, 2);
    });
  }

  it('refuses a ZIP64 archive cut anywhere, never calling it intact', async () => {
    const file = path.join(dir, 'zip64.zip');
    await archive(file, { forceZip64Format: true, compress: false });
    const bytes = fs.readFileSync(file);
    for (let keep = 0; keep < bytes.length; keep += 997) {
      fs.writeFileSync(file, bytes.subarray(0, keep));
      await assert.rejects(verifyArchive(file, keys), ArchiveError, `cut at ${keep}`);
    }
  });
});
