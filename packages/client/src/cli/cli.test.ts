import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ArkivClient } from '../client.js';
import { htmlBytes, pdfBytes, startServerUnderTest, testDialects, type ServerUnderTest } from '../test/server-under-test.js';
import { readZipEntries } from '../test/zip-entries.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `arkiv` as a child process, asynchronously: the server under test lives in this process. */
function arkivProcess(args: string[], env: Record<string, string | undefined> = {}): { process: ChildProcess; done: Promise<CliResult> } {
  const base = { ...process.env };
  for (const name of ['ARKIV_URL', 'ARKIV_TOKEN', 'ARKIV_ORG', 'DATABASE_URL', 'ARKIV_DATA_DIR']) delete base[name];
  const child = spawn(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...base, ARKIV_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { process: child, done };
}

const arkiv = (args: string[], env: Record<string, string | undefined> = {}) => arkivProcess(args, env).done;

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const dialect of testDialects) {
  describe(`arkiv CLI (${dialect})`, () => {
    let server: ServerUnderTest;
    let dir: string;
    let files: { html: string; pdf: string };
    const connection = () => ['--server', server.url];
    const uploadArgs = (version: string, fileSet = files) => [
      'upload', '--project-name', 'CLI product', '--project-version', version, '--report-type', 'OWASP Top 10',
      '--report-version', '2021', '--date', '2026-01-02T03:04:05+01:00', '--vulnerabilities-count', '4',
      '--security-rating', 'C', '--html', fileSet.html, '--pdf', fileSet.pdf,
    ];

    before(async () => {
      server = await startServerUnderTest(dialect);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-cli-'));
      files = { html: path.join(dir, 'cli.html'), pdf: path.join(dir, 'cli.pdf') };
      fs.writeFileSync(files.html, htmlBytes('CLI product'));
      fs.writeFileSync(files.pdf, pdfBytes('CLI product'));
    });
    after(async () => {
      await server?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('uploads, lists and downloads a report with matching checksums', async () => {
      const uploaded = await arkiv([...uploadArgs('2.0.0-rc.1'), '--json'], { ARKIV_URL: server.url, ARKIV_TOKEN: server.tokens.upload });
      assert.equal(uploaded.code, 0, uploaded.stderr);
      const { created, report } = JSON.parse(uploaded.stdout) as { created: boolean; report: { id: string; files: Array<{ kind: string; sha256: string }> } };
      assert.equal(created, true);
      assert.deepEqual(report.files.map((f) => [f.kind, f.sha256]).sort(), [
        ['html', sha256(fs.readFileSync(files.html))],
        ['pdf', sha256(fs.readFileSync(files.pdf))],
      ]);

      const again = await arkiv([...connection(), '--token', server.tokens.upload, ...uploadArgs('2.0.0-rc.1')]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout.trim(), `replaced report ${report.id} (CLI product 2.0.0-rc.1, OWASP Top 10 2021)`);

      const listed = await arkiv(['list', ...connection(), '--org', server.orgId, '--minver', '2.0.0-0', '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      const body = JSON.parse(listed.stdout) as { organizationId: string; reports: Array<{ id: string; securityRating: string }> };
      assert.equal(body.organizationId, server.orgId);
      assert.deepEqual(body.reports.map((r) => [r.id, r.securityRating]), [[report.id, 'C']]);

      const table = await arkiv(['list', ...connection()], { ARKIV_ORG: server.orgId });
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^ID\s+PROJECT\s+VERSION\s+REPORT\s+DATE\s+VULNS\s+RATING$/);
      assert.match(lines[1]!, new RegExp(`^${report.id}\\s+CLI product\\s+2\\.0\\.0-rc\\.1\\s+OWASP Top 10 2021\\s+2026-01-02\\s+4\\s+C$`));

      const out = path.join(dir, 'round-trip.zip');
      const downloaded = await arkiv(['download', ...connection(), '--org', server.orgId, '--reports', report.id, report.id, '--out', out]);
      assert.equal(downloaded.code, 0, downloaded.stderr);
      assert.doesNotMatch(downloaded.stderr, /%/, 'no progress bar when stderr is not a terminal');
      assert.equal(fs.existsSync(`${out}.part`), false);
      const entries = await readZipEntries(out);
      const byExtension = (ext: string) => [...entries].find(([name]) => name.endsWith(ext))?.[1];
      assert.equal(sha256(byExtension('.pdf')!), sha256(fs.readFileSync(files.pdf)));
      assert.equal(sha256(byExtension('.html')!), sha256(fs.readFileSync(files.html)));
      assert.ok(entries.has('manifest.json'));
    });

    it('uploads a SARIF file alone with --sarif: Arkiv renders the report and keeps the findings', async () => {
      const sarif = path.join(dir, 'results.sarif');
      fs.writeFileSync(sarif, JSON.stringify({
        version: '2.1.0',
        runs: [{
          tool: { driver: { name: 'semgrep', rules: [{ id: 'sqli', properties: { tags: ['CWE-89: SQL Injection'] } }] } },
          results: [{ ruleId: 'sqli', level: 'error', message: { text: 'Query built from input' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'src/db.py' }, region: { startLine: 12 } } }], partialFingerprints: { primaryLocationLineHash: 'abc:1' } }],
        }],
      }));
      const uploaded = await arkiv(['upload', '--project-name', 'CLI SARIF', '--project-version', '1.2.3', '--sarif', sarif, '--json'], { ARKIV_URL: server.url, ARKIV_TOKEN: server.tokens.upload });
      assert.equal(uploaded.code, 0, uploaded.stderr);
      const { report } = JSON.parse(uploaded.stdout) as { report: { id: string; reportType: string; vulnerabilitiesCount: number; securityRating: string; files: Array<{ kind: string }> } };
      assert.deepEqual([report.reportType, report.vulnerabilitiesCount, report.securityRating], ['CWE Top 25', 1, 'D']);
      assert.deepEqual(report.files.map((f) => f.kind).sort(), ['html', 'pdf']);
      const log = (await new ArkivClient({ baseUrl: server.url }).getReportSarif(server.orgId, report.id)) as any;
      assert.deepEqual(log.runs[0].results.map((r: any) => [r.ruleId, r.locations[0].physicalLocation.artifactLocation.uri, r.locations[0].physicalLocation.region.startLine, r.partialFingerprints]), [
        ['sqli', 'src/db.py', 12, { primaryLocationLineHash: 'abc:1' }],
      ]);

      const noFiles = await arkiv(['upload', '--project-name', 'CLI SARIF', '--project-version', '1.2.3', '--report-type', 'X', '--report-version', '1', '--vulnerabilities-count', '0', '--security-rating', 'A'], { ARKIV_URL: server.url, ARKIV_TOKEN: server.tokens.upload });
      assert.equal(noFiles.code, 2);
      assert.match(noFiles.stderr, /--html is required \(or upload --sarif alone/);
      const computed = await arkiv(['upload', '--project-name', 'CLI SARIF', '--project-version', '1.2.3', '--sarif', sarif, '--security-rating', 'A'], { ARKIV_URL: server.url, ARKIV_TOKEN: server.tokens.upload });
      assert.equal(computed.code, 2);
      assert.match(computed.stderr, /computed from --sarif/);
    });

    it('exits 1 on a missing report and leaves no file', async () => {
      const out = path.join(dir, 'missing.zip');
      const result = await arkiv(['download', ...connection(), '--org', server.orgId, '--reports', crypto.randomUUID(), '--out', out]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /not_found/);
      assert.equal(fs.existsSync(out), false);
      assert.equal(fs.existsSync(`${out}.part`), false);
    });

    it('removes the partial file when the server breaks off the transfer', async () => {
      // A report whose stored PDF no longer matches its SHA-256: the server aborts the ZIP mid-stream.
      const broken = { html: path.join(dir, 'broken.html'), pdf: path.join(dir, 'broken.pdf') };
      fs.writeFileSync(broken.html, htmlBytes('Broken'));
      fs.writeFileSync(broken.pdf, pdfBytes(`Broken ${'x'.repeat(200_000)}`));
      const client = new ArkivClient({ baseUrl: server.url, token: server.tokens.upload });
      const { report } = await client.uploadReport(
        { projectName: 'Broken', projectVersion: '1.0', reportType: 'CWE Top 25', reportVersion: 2024, date: '2026-01-01T00:00:00Z', vulnerabilitiesCount: 0, securityRating: 'A' },
        broken,
      );
      const hash = report.files.find((f) => f.kind === 'pdf')!.sha256;
      const blob = path.join(server.database.dataDir, 'blobs', 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash);
      const bytes = fs.readFileSync(blob);
      const at = bytes.length - 10;
      bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
      fs.chmodSync(blob, 0o644);
      fs.writeFileSync(blob, bytes);

      const out = path.join(dir, 'broken.zip');
      const result = await arkiv(['download', ...connection(), '--org', server.orgId, '--reports', report.id, '--out', out]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^arkiv: the download broke off after \d+ bytes/m);
      assert.equal(fs.existsSync(out), false);
      assert.equal(fs.existsSync(`${out}.part`), false);
    });

    it('removes the partial file when interrupted (Ctrl-C) and exits 130', async () => {
      // A real HTTP server that sends the first bytes of a large ZIP and then stalls, so the
      // download is certainly in flight when the signal arrives.
      const stalled = http.createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(50 * 1024 * 1024) });
        response.write(Buffer.alloc(64 * 1024, 7));
      });
      await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
      const { port } = stalled.address() as AddressInfo;
      const out = path.join(dir, 'interrupted.zip');
      try {
        const child = arkivProcess(['download', '--server', `http://127.0.0.1:${port}`, '--org', server.orgId, '--reports', crypto.randomUUID(), '--out', out]);
        await waitFor(() => fs.existsSync(`${out}.part`) && fs.statSync(`${out}.part`).size > 0);
        child.process.kill('SIGINT');
        const result = await child.done;
        assert.equal(result.code, 130, result.stderr);
        assert.match(result.stderr, /interrupted; the partial download was removed/);
        assert.equal(fs.existsSync(`${out}.part`), false);
        assert.equal(fs.existsSync(out), false);
      } finally {
        stalled.closeAllConnections();
        await new Promise((resolve) => stalled.close(resolve));
      }
    });

    it('hands org create and token create to the server, printing the documented JSON', async () => {
      const database = { ARKIV_DATA_DIR: server.database.dataDir, DATABASE_URL: server.database.databaseUrl };
      const org = await arkiv(['org', 'create', '--name', 'CLI organisation', '--json'], database);
      assert.equal(org.code, 0, org.stderr);
      const { id } = JSON.parse(org.stdout) as { id: string };
      assert.match(id, /^[0-9a-f-]{36}$/);

      const token = await arkiv(['token', 'create', '--org', id, '--scope', 'admin', '--json'], database);
      assert.equal(token.code, 0, token.stderr);
      const created = JSON.parse(token.stdout) as { token: string };
      assert.match(created.token, /^arkiv_/);

      const organization = await new ArkivClient({ baseUrl: server.url, token: created.token }).getOrganization(id);
      assert.deepEqual([organization.id, organization.name], [id, 'CLI organisation']);
      const upload = await arkiv([...connection(), '--token', created.token, ...uploadArgs('1.0.0')]);
      assert.equal(upload.code, 0, upload.stderr);
      assert.match(upload.stdout, /^created report /);

      const plain = await arkiv(['org', 'create', '--name', 'Plain'], database);
      assert.match(plain.stdout.trim(), /^[0-9a-f-]{36}$/, 'without --json: the id alone');
    });

    it('prints the API error code and exits 1', async () => {
      const badVersion = await arkiv(['list', ...connection(), '--org', server.orgId, '--version', 'one.two']);
      assert.equal(badVersion.code, 1);
      assert.match(badVersion.stderr, /^arkiv: invalid_version: .*\(HTTP 400\)$/m);

      const readOnly = await arkiv([...connection(), '--token', server.tokens.read, ...uploadArgs('9.9.9')]);
      assert.equal(readOnly.code, 1);
      assert.match(readOnly.stderr, /forbidden/);

      const revoked = await arkiv(['list', ...connection(), '--token', 'arkiv_not-a-token', '--org', server.orgId]);
      assert.equal(revoked.code, 1);
      assert.match(revoked.stderr, /unauthorized/);
    });

    it('exits 2 on usage and configuration errors, before sending anything', async () => {
      const noOrg = await arkiv(['list', ...connection()]);
      assert.equal(noOrg.code, 2);
      assert.match(noOrg.stderr, /--org or set ARKIV_ORG/);
      const noToken = await arkiv([...connection(), ...uploadArgs('1.0.0')]);
      assert.equal(noToken.code, 2);
      assert.match(noToken.stderr, /ARKIV_TOKEN/);
      const noFile = await arkiv([...connection(), '--token', server.tokens.upload, ...uploadArgs('1.0.0', { html: files.html, pdf: path.join(dir, 'absent.pdf') })]);
      assert.equal(noFile.code, 2);
      assert.match(noFile.stderr, /absent\.pdf: no such file/);
      const badCount = await arkiv([...connection(), '--token', server.tokens.upload, ...uploadArgs('1.0.0'), '--vulnerabilities-count', '-1']);
      assert.equal(badCount.code, 2);
      const unknown = await arkiv(['list', '--colour']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown option/);
      const badUrl = await arkiv(['list', '--server', 'ftp://example', '--org', server.orgId]);
      assert.equal(badUrl.code, 2);
      const noDir = await arkiv(['download', ...connection(), '--org', server.orgId, '--reports', crypto.randomUUID(), '--out', path.join(dir, 'absent', 'x.zip')]);
      assert.equal(noDir.code, 2);
      assert.match(noDir.stderr, /directory does not exist/);
    });
  });
}
