import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ArkivClient } from '../client.js';
import { htmlBytes, pdfBytes, startServerUnderTest, testDialects, type ServerUnderTest } from '../test/server-under-test.js';
import { runCli } from './run.js';

const EVIDENCE_DOC = fileURLToPath(new URL('../../../../docs/evidence.md', import.meta.url));

/** `arkiv …` in this process; stdout and stderr captured. */
async function arkiv(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await runCli(args, { stdout, stderr, env });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The "Verify with openssl alone" script of docs/evidence.md, run as written: the docs cannot drift. */
function opensslScript(): string {
  const doc = fs.readFileSync(EVIDENCE_DOC, 'utf8');
  const section = doc.slice(doc.indexOf('### Verify with openssl alone'));
  return section.slice(section.indexOf('```bash\n') + 8, section.indexOf('\n```', section.indexOf('```bash\n')));
}
const verifyWithOpenssl = (zip: string, jwks: string) =>
  spawnSync('bash', ['-c', opensslScript()], { env: { ...process.env, ZIP: zip, JWKS: jwks }, encoding: 'utf8' });

/** A copy of `zip` with one byte changed at the first occurrence of `marker` (plus `offset`). */
function flipped(zip: string, marker: Buffer | string, offset = 0): string {
  const bytes = fs.readFileSync(zip);
  const at = bytes.indexOf(marker);
  assert.ok(at >= 0, 'marker found');
  bytes[at + offset] = bytes[at + offset]! ^ 0x01;
  const copy = `${zip}.${crypto.randomUUID()}.zip`;
  fs.writeFileSync(copy, bytes);
  return copy;
}

/** A copy of `zip` whose entry `name` was rewritten with Info-ZIP (valid CRC and sizes: a careful forger). */
function rewritten(zip: string, name: string, change: (bytes: Buffer) => void): string {
  const copy = `${zip}.${crypto.randomUUID()}.zip`;
  fs.copyFileSync(zip, copy);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-forge-'));
  const bytes = execFileSync('unzip', ['-p', copy, name], { maxBuffer: 1 << 26 });
  change(bytes);
  fs.mkdirSync(path.dirname(path.join(work, name)), { recursive: true });
  fs.writeFileSync(path.join(work, name), bytes);
  execFileSync('zip', ['-q', '-0', copy, name], { cwd: work });
  fs.rmSync(work, { recursive: true, force: true });
  return copy;
}

const flipFirst = (marker: string, offset = 0) => (bytes: Buffer) => {
  const at = bytes.indexOf(marker);
  assert.ok(at >= 0, 'marker found');
  bytes[at + offset] = bytes[at + offset]! ^ 0x01;
};

for (const dialect of testDialects) {
  describe(`arkiv verify and openssl on signed archives (${dialect})`, () => {
    let server: ServerUnderTest;
    let dir: string;
    let zip: string;
    let jwks: string;
    let html: Buffer;

    before(async () => {
      server = await startServerUnderTest(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-verify-'));
      const client = new ArkivClient({ baseUrl: server.url, token: server.tokens.upload });
      html = htmlBytes(`Verify product ${crypto.randomUUID()}`);
      const ids: string[] = [];
      for (const version of ['1.0.0', '2.0.0']) {
        const uploaded = await client.uploadReport(
          { projectName: 'Verify product', projectVersion: version, reportType: 'OWASP Top 10', reportVersion: 2021, date: '2026-01-02T03:04:05+00:00', vulnerabilitiesCount: 1, securityRating: 'B' },
          { html: new Blob([version === '1.0.0' ? html : htmlBytes('other')]), pdf: new Blob([pdfBytes(version)]) },
        );
        ids.push(uploaded.report.id);
      }
      zip = path.join(dir, 'reports.zip');
      const response = await fetch(`${server.url}/security/report/files?org=${server.orgId}${ids.map((id) => `&reports=${id}`).join('')}`);
      assert.equal(response.status, 200);
      fs.writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
      jwks = path.join(dir, 'jwks.json');
      fs.writeFileSync(jwks, await (await fetch(`${server.url}/.well-known/jwks.json?org=${server.orgId}`)).text());
    });
    after(async () => {
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('verifies an untouched archive with openssl and with arkiv verify, offline and against the server', async () => {
      const openssl = verifyWithOpenssl(zip, jwks);
      assert.equal(openssl.status, 0, openssl.stderr);
      assert.match(openssl.stdout, /Signature Verified Successfully/);
      assert.match(openssl.stdout, /intact/);

      const offline = await arkiv(['verify', zip, '--jwks', jwks]);
      assert.equal(offline.code, 0, offline.stderr);
      assert.match(offline.stdout, new RegExp(`^${zip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: intact, 6 files .* of organisation ${server.orgId}, .* signed with key \\S+\\n$`));
      const online = await arkiv(['verify', zip, '--server', server.url]);
      assert.equal(online.code, 0, online.stderr);
      const byUrl = await arkiv(['verify', zip, '--jwks', `${server.url}/.well-known/jwks.json?org=${server.orgId}`]);
      assert.equal(byUrl.code, 0, byUrl.stderr);
    });

    it('names a changed byte in a report file, raw or re-zipped with a valid CRC; openssl-alone fails too', async () => {
      const htmlPath = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').find((name) => name.startsWith('Verify product_1.0.0') && name.endsWith('.html'))!;
      for (const tampered of [flipped(zip, html, 100), rewritten(zip, htmlPath, flipFirst('Verify product', 3))]) {
        const result = await arkiv(['verify', tampered, '--jwks', jwks]);
        assert.equal(result.code, 1);
        assert.equal(result.stderr.split('\n')[0], `tampered: ${htmlPath} (its bytes differ from the signed manifest)`);
        assert.doesNotMatch(result.stderr, /^signature:/m, 'the manifest itself is intact');
        const openssl = verifyWithOpenssl(tampered, jwks);
        assert.notEqual(openssl.status, 0);
      }
      const openssl = verifyWithOpenssl(rewritten(zip, htmlPath, flipFirst('Verify product', 3)), jwks);
      assert.match(openssl.stdout, /Signature Verified Successfully/, 'the signature holds; the hash check catches the file');
      assert.match(openssl.stderr, /computed checksum did NOT match/);
    });

    it('refuses a changed byte in manifest.json, raw or re-zipped; openssl refuses its signature', async () => {
      const raw = flipped(zip, '"projectName": "Verify product"', 17);
      const forged = rewritten(zip, 'manifest.json', flipFirst('"projectName": "Verify product"', 17));
      for (const tampered of [raw, forged]) {
        const result = await arkiv(['verify', tampered, '--jwks', jwks]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^signature: manifest\.json does not match its signature/m);
        assert.notEqual(verifyWithOpenssl(tampered, jwks).status, 0);
      }
      const openssl = verifyWithOpenssl(forged, jwks);
      assert.match(openssl.stdout + openssl.stderr, /Signature Verification Failure/);
    });

    it('names an added entry (added with Info-ZIP zip); openssl-alone fails too', async () => {
      const added = path.join(dir, `added-${crypto.randomUUID()}.zip`);
      fs.copyFileSync(zip, added);
      fs.writeFileSync(path.join(dir, 'extra.txt'), 'not from Arkiv');
      execFileSync('zip', ['-q', added, 'extra.txt'], { cwd: dir });
      const result = await arkiv(['verify', added, '--jwks', jwks]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^extra: extra\.txt is not in the signed manifest$/m);
      assert.notEqual(verifyWithOpenssl(added, jwks).status, 0);
    });

    it('names a removed entry', async () => {
      const removed = path.join(dir, `removed-${crypto.randomUUID()}.zip`);
      fs.copyFileSync(zip, removed);
      const victim = execFileSync('unzip', ['-Z1', removed], { encoding: 'utf8' }).split('\n').find((name) => name.endsWith('.pdf'))!;
      execFileSync('zip', ['-q', '-d', removed, victim]);
      const result = await arkiv(['verify', removed, '--jwks', jwks]);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes(`missing: ${victim}`), result.stderr);
    });

    it('gives clear errors, never "intact", for an unknown kid, a malformed JWKS, a non-Arkiv ZIP and a truncated ZIP', async () => {
      const otherJwks = path.join(dir, 'other.jwks.json');
      const { publicKey } = crypto.generateKeyPairSync('ed25519');
      fs.writeFileSync(otherJwks, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'someone-else', use: 'sig' }] }));
      const unknown = await arkiv(['verify', zip, '--jwks', otherJwks]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /unknown key: the manifest is signed with kid \S+, which the JWKS does not list/);

      for (const [content, reason] of [['{"keys": 5', /malformed JWKS .*not JSON/], ['{"nokeys": []}', /malformed JWKS .*no "keys" list/], ['{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"AAAA"}]}', /malformed JWKS .*key k has no 32-byte "x"/]] as const) {
        const bad = path.join(dir, `bad-${crypto.randomUUID()}.json`);
        fs.writeFileSync(bad, content);
        const result = await arkiv(['verify', zip, '--jwks', bad]);
        assert.equal(result.code, 1, content);
        assert.match(result.stderr, reason);
      }

      const plain = path.join(dir, 'plain.zip');
      execFileSync('zip', ['-q', plain, 'extra.txt'], { cwd: dir });
      const notArkiv = await arkiv(['verify', plain, '--jwks', jwks]);
      assert.equal(notArkiv.code, 1);
      assert.match(notArkiv.stderr, /not an Arkiv archive: it has no manifest\.json/);

      const notZip = await arkiv(['verify', jwks, '--jwks', jwks]);
      assert.equal(notZip.code, 1);
      assert.match(notZip.stderr, /not a ZIP archive/);

      const bytes = fs.readFileSync(zip);
      for (const keep of [bytes.length - 30, Math.floor(bytes.length / 2), 10]) {
        const truncated = path.join(dir, `truncated-${keep}.zip`);
        fs.writeFileSync(truncated, bytes.subarray(0, keep));
        const result = await arkiv(['verify', truncated, '--jwks', jwks]);
        assert.equal(result.code, 1, `cut at ${keep}`);
        assert.match(result.stderr, /truncated/, `cut at ${keep}: ${result.stderr}`);
        assert.doesNotMatch(result.stdout, /intact/);
      }
    });
  });
}
