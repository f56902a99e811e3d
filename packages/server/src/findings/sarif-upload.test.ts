import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { sampleFields, uploadForm } from '../test/fixtures.js';
import { contentFingerprint } from './finding-model.js';
import { sarifValidators } from './sarif/sarif-schema.js';
import { discardGenerated, stageSarifExports } from './sarif-export.js';
import { stageStream } from '../blobs/staging.js';
import { eslintSarif, exportedSarif, readApi, sarifLog, storedFindingRows, uploadSarif } from './findings-test-helpers.js';

const assertValidSarif = (log: unknown) => {
  const validate = sarifValidators().log;
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
};

const reportCount = async (server: TestServer) => (await fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0`).then((r) => r.json()) as { reports: unknown[] }).reports.length;

for (const dialect of testDialects) {
  describe(`SARIF in and out on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.stop());

    it("uploads ESLint's SARIF alone, renders HTML and PDF, and gives the findings back equal in rule, location and fingerprint", async () => {
      const input = JSON.parse(await eslintSarif());
      const inputResults = input.runs[0].results as any[];
      assert.equal(inputResults.length, 2);
      const created = await uploadSarif(server, input, { projectName: 'Linted', projectVersion: '3.1.0' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.files.map((f: { kind: string }) => f.kind).sort(), ['html', 'pdf']);
      assert.equal(created.body.reportType, 'CWE Top 25');
      assert.equal(created.body.reportVersion, 2024);
      // ESLint's rules name no CWE: nothing falls into a Top 25 category.
      assert.equal(created.body.vulnerabilitiesCount, 0);
      assert.equal(created.body.securityRating, 'A');
      const html = await fetch(`${server.url}/api/orgs/${server.orgId}/reports/${created.body.id}/files/html`, { headers: { authorization: `Bearer ${server.tokens.read}` } });
      assert.equal(html.status, 200);
      assert.match(await html.text(), /Linted/);

      const exported = await exportedSarif(server, created.body.id);
      assert.equal(exported.status, 200);
      assert.equal(exported.type, 'application/sarif+json');
      assertValidSarif(exported.log);
      const out = exported.log.runs[0].results as any[];
      const rules = exported.log.runs[0].tool.driver.rules as any[];
      assert.deepEqual(
        out.map((r) => ({ rule: r.ruleId, ruleOfIndex: rules[r.ruleIndex].id, location: r.locations[0].physicalLocation.artifactLocation.uri, line: r.locations[0].physicalLocation.region.startLine, fingerprint: r.partialFingerprints['arkiv/v1'] })),
        inputResults.map((r) => {
          const uri = r.locations[0].physicalLocation.artifactLocation.uri;
          const line = r.locations[0].physicalLocation.region.startLine;
          return { rule: r.ruleId, ruleOfIndex: r.ruleId, location: uri, line, fingerprint: contentFingerprint(r.ruleId, uri, line, r.message.text) };
        }),
      );
      assert.deepEqual(out.map((r) => r.level), inputResults.map((r) => r.level));
      assert.equal(rules.find((r) => r.id === 'no-eval').name, 'Disallow the use of `eval()`');
    });

    it('keeps partialFingerprints, reads CWE and OWASP tags, and renders the CWE Top 25 categories', async () => {
      const log = sarifLog([
        { rule: 'sql-injection', file: 'src/db.py', line: 10, hash: 'aaa:1', cwe: [89], owasp: ['A03'] },
        { rule: 'xss', file: 'src/view.py', line: 5, hash: 'bbb:1', cwe: [79], owasp: ['A03'], level: 'warning' },
        { rule: 'weak-hash', file: 'src/crypto.py', line: 7, hash: 'ccc:1', cwe: [328], owasp: ['A02'], suppressed: true },
      ]);
      const created = await uploadSarif(server, log, { projectName: 'Tagged', projectVersion: '1.0.0', reportType: 'OWASP Top 10' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.reportType, 'OWASP Top 10');
      assert.equal(created.body.reportVersion, 2021);
      assert.equal(created.body.vulnerabilitiesCount, 2, 'the suppressed one is accepted, not open');
      assert.equal(created.body.date, '2026-01-02T03:04:05.000Z');
      const { log: out } = await exportedSarif(server, created.body.id);
      assertValidSarif(out);
      const results = out.runs[0].results as any[];
      assert.deepEqual(results.map((r) => r.partialFingerprints), [{ primaryLocationLineHash: 'aaa:1' }, { primaryLocationLineHash: 'bbb:1' }, { primaryLocationLineHash: 'ccc:1' }]);
      assert.deepEqual(results.map((r) => r.properties.tags), [['external/cwe/cwe-89', 'owasp-top10-2021:a03'], ['external/cwe/cwe-79', 'owasp-top10-2021:a03'], ['external/cwe/cwe-328', 'owasp-top10-2021:a02']]);
      assert.deepEqual(results.map((r) => r.properties.status), ['open', 'open', 'accepted']);
      assert.deepEqual(results[2].suppressions, [{ kind: 'external', status: 'accepted' }]);
      // The export reads back as the same findings.
      const again = await uploadSarif(server, out, { projectName: 'Tagged', projectVersion: '1.0.1', reportType: 'OWASP Top 10' });
      assert.equal(again.status, 201, JSON.stringify(again.body));
      const { log: roundTrip } = await exportedSarif(server, again.body.id);
      assert.deepEqual(roundTrip.runs[0].results, results);
    });

    it('takes a sarif part beside html and pdf: the uploaded files are kept and the findings stored', async () => {
      const created = await uploadSarif(server, sarifLog([{ rule: 'r1', file: 'a.c', line: 1, cwe: [787] }]), { projectName: 'With files', projectVersion: '1.0.0' }, true);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.vulnerabilitiesCount, 0, 'the uploader states the count when it sends the files');
      assert.deepEqual(await storedFindingRows(server, created.body.id), { findings: 1, cwes: 1 });
    });

    it('replaces findings with the report, and deleting the report removes them', async () => {
      const fields = { projectName: 'Replaced', projectVersion: '1.0.0' };
      const first = await uploadSarif(server, sarifLog([{ rule: 'a', file: 'x', line: 1, cwe: [89] }, { rule: 'b', file: 'y', line: 2, cwe: [79, 89] }]), fields);
      assert.equal(first.status, 201);
      assert.deepEqual(await storedFindingRows(server, first.body.id), { findings: 2, cwes: 3 });
      const second = await uploadSarif(server, sarifLog([{ rule: 'c', file: 'z', line: 3 }]), fields);
      assert.equal(second.status, 200);
      assert.equal(second.body.id, first.body.id);
      assert.deepEqual(await storedFindingRows(server, first.body.id), { findings: 1, cwes: 0 });
      // Replaced by an upload without sarif: no findings kept.
      const plain = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: uploadForm(sampleFields({ ...fields, reportType: 'CWE Top 25' })) });
      assert.equal(plain.status, 200);
      assert.deepEqual(await storedFindingRows(server, first.body.id), { findings: 0, cwes: 0 });
      const third = await uploadSarif(server, sarifLog([{ rule: 'd', file: 'w', line: 4, cwe: [22] }]), fields);
      assert.deepEqual(await storedFindingRows(server, third.body.id), { findings: 1, cwes: 1 });
      const deleted = await fetch(`${server.url}/security/report/${third.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(deleted.status, 204);
      assert.deepEqual(await storedFindingRows(server, third.body.id), { findings: 0, cwes: 0 });
    });

    it('stores a result without a location as a finding without one, exported without locations', async () => {
      const created = await uploadSarif(server, sarifLog([{ rule: 'project-level', message: 'No security policy' }]), { projectName: 'Nowhere', projectVersion: '1.0.0' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { log } = await exportedSarif(server, created.body.id);
      assertValidSarif(log);
      assert.equal(log.runs[0].results.length, 1);
      assert.equal(log.runs[0].results[0].locations, undefined);
      assert.equal(log.runs[0].results[0].partialFingerprints['arkiv/v1'], contentFingerprint('project-level', null, null, 'No security policy'));
    });

    it('stores U+0000 in a SARIF string as U+FFFD on both engines (PostgreSQL text cannot hold it)', async () => {
      const created = await uploadSarif(server, sarifLog([{ rule: 'nul\u0000rule', file: 'src/a.js', line: 1, message: 'bad\u0000byte' }]), { projectName: 'Nul', projectVersion: '1.0.0' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { log } = await exportedSarif(server, created.body.id);
      assertValidSarif(log);
      assert.equal(log.runs[0].results[0].ruleId, 'nul\uFFFDrule');
      assert.equal(log.runs[0].results[0].message.text, 'bad\uFFFDbyte');
    });

    it('accepts 10 000 rules without a CWE: every finding stored, none in a category', async () => {
      const results = Array.from({ length: 10_000 }, (_, i) => ({ rule: `rule-${i}`, file: `src/f${i % 97}.js`, line: i + 1 }));
      const created = await uploadSarif(server, sarifLog(results), { projectName: 'Many rules', projectVersion: '1.0.0' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.vulnerabilitiesCount, 0);
      assert.deepEqual(await storedFindingRows(server, created.body.id), { findings: 10_000, cwes: 0 });
      const { log } = await exportedSarif(server, created.body.id);
      assert.equal(log.runs[0].tool.driver.rules.length, 10_000);
      assert.equal(log.runs[0].results.length, 10_000);
    });

    it('refuses a log invalid at its last result with nothing stored, and keeps the report it would have replaced', async () => {
      const fields = { projectName: 'Invalid at the end', projectVersion: '1.0.0' };
      const first = await uploadSarif(server, sarifLog([{ rule: 'a', file: 'x', line: 1, cwe: [89] }, { rule: 'b', file: 'y', line: 2, cwe: [79] }]), fields);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const before = await reportCount(server);
      const rows = await storedFindingRows(server);
      const results = Array.from({ length: 20_000 }, (_, i) => ({ rule: `rule-${i % 50}`, file: `src/f${i}.js`, line: i === 19_999 ? 0 : i + 1, cwe: [89] }));
      const refused = await uploadSarif(server, sarifLog(results), fields);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'invalid_sarif');
      assert.match(refused.body.message, /\/runs\/0\/results\/19999\/locations\/0\/physicalLocation\/region\/startLine: must be >= 1/);
      assert.equal(await reportCount(server), before);
      assert.deepEqual(await storedFindingRows(server), rows);
      assert.deepEqual(await storedFindingRows(server, first.body.id), { findings: 2, cwes: 2 });
      // The findings were staged on disk while the log streamed; nothing of them is left there.
      assert.deepEqual(fs.readdirSync(server.ctx.stagingDir).filter((name) => name.startsWith('sarif-')), []);
    });

    it('counts every open vulnerability of a category (each fingerprint once) and lists the worst 200 in the rendering', async () => {
      const results = [
        ...Array.from({ length: 50 }, (_, i) => ({ rule: 'xss-high', file: `src/high${i}.js`, line: 1, hash: `high-${i}`, cwe: [79], level: 'error' as const })),
        ...Array.from({ length: 400 }, (_, i) => ({ rule: 'xss-medium', file: `src/medium${i}.js`, line: 1, hash: `medium-${i}`, cwe: [79], level: 'warning' as const })),
        // The same finding twice (same partialFingerprints): one vulnerability.
        { rule: 'xss-medium', file: 'src/medium0.js', line: 1, hash: 'medium-0', cwe: [79], level: 'warning' as const },
      ];
      const created = await uploadSarif(server, sarifLog(results), { projectName: 'Many XSS', projectVersion: '1.0.0' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.vulnerabilitiesCount, 450);
      assert.equal(created.body.securityRating, 'D', 'the worst is high');
      assert.deepEqual(await storedFindingRows(server, created.body.id), { findings: 451, cwes: 451 });
      const html = await (await fetch(`${server.url}/api/orgs/${server.orgId}/reports/${created.body.id}/files/html`, { headers: { authorization: `Bearer ${server.tokens.read}` } })).text();
      assert.match(html, /Open vulnerabilities \(450; the 200 worst listed/);
      const section = html.slice(html.indexOf('id="cat-cwe-79"'));
      const listed = section.slice(0, section.indexOf('</table>')).match(/<td class="loc">[^<]*<\/td>/g) ?? [];
      assert.equal(listed.length, 200);
      // Worst first, then by location: the 50 high ones, then the first 150 medium ones by path.
      const mediumByPath = Array.from({ length: 400 }, (_, i) => `src/medium${i}.js:1`).sort();
      assert.deepEqual(listed.map((cell) => cell.slice('<td class="loc">'.length, -'</td>'.length)), [
        ...Array.from({ length: 50 }, (_, i) => `src/high${i}.js:1`).sort(),
        ...mediumByPath.slice(0, 150),
      ]);
      // The summary counts the category whole.
      assert.match(html, /href="#cat-cwe-79">[^<]*<\/a><\/th><td class="num">450<\/td>/);
    });

    describe('refuses bad SARIF with a clear 400 and stores nothing', () => {
      const refusals: Array<[string, Buffer | string | object, string, RegExp]> = [
        ['malformed JSON', '{"version": "2.1.0", "runs": [', 'invalid_sarif', /not JSON/],
        ['SARIF 2.0', { version: '2.0.0', runs: [] }, 'unsupported_sarif_version', /SARIF 2\.0\.0 is not supported/],
        ['SARIF 1.0', { version: '1.0.0', runLogs: [] }, 'unsupported_sarif_version', /SARIF 1\.0\.0 is not supported/],
        ['no version', { runs: [] }, 'invalid_sarif', /\/version/],
        ['a result that breaks the schema', sarifLog([{ rule: 'ok', file: 'a', line: 1 }, { rule: 'bad', file: 'b', line: 0 }]), 'invalid_sarif', /\/runs\/0\/results\/1\/locations\/0\/physicalLocation\/region\/startLine: must be >= 1/],
        ['a run without a tool', { version: '2.1.0', runs: [{ results: [] }] }, 'invalid_sarif', /\/runs\/0: must have required property 'tool'/],
        ['a top-level array', '[1, 2]', 'invalid_sarif', /must be an object/],
      ];
      for (const [name, body, code, message] of refusals) {
        it(name, async () => {
          const before = await reportCount(server);
          const rows = await storedFindingRows(server);
          const refused = await uploadSarif(server, body, { projectName: `Refused ${name}`, projectVersion: '1.0.0' });
          assert.equal(refused.status, 400, JSON.stringify(refused.body));
          assert.equal(refused.body.code, code);
          assert.match(refused.body.message, message);
          assert.equal(await reportCount(server), before);
          assert.deepEqual(await storedFindingRows(server), rows);
        });
      }

      it('a report type Arkiv cannot render from SARIF alone', async () => {
        const refused = await uploadSarif(server, sarifLog([]), { reportType: 'PCI DSS' });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.code, 'unsupported_report_type');
      });

      it('a count or rating sent with SARIF alone', async () => {
        const refused = await uploadSarif(server, sarifLog([]), { vulnerabilitiesCount: 3 });
        assert.equal(refused.status, 400);
        assert.match(refused.body.message, /vulnerabilitiesCount is computed from the SARIF file/);
      });
    });

    it("puts findings.sarif in the signed ZIP, listed in the manifest with its size and SHA-256, equal to GET …/sarif", async () => {
      const created = await uploadSarif(server, sarifLog([{ rule: 'sqli', file: 'src/a.py', line: 3, hash: 'z:1', cwe: [89] }]), { projectName: 'Zipped', projectVersion: '1.0.0' });
      const response = await fetch(`${server.url}/security/report/files?org=${server.orgId}&reports=${created.body.id}`);
      assert.equal(response.status, 200);
      const zip = await yauzl.fromBufferPromise(Buffer.from(await response.arrayBuffer()), { lazyEntries: true, validateEntrySizes: true });
      const entries = new Map<string, Buffer>();
      for await (const entry of zip.eachEntry()) {
        const chunks: Buffer[] = [];
        for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
        entries.set(entry.fileName, Buffer.concat(chunks));
      }
      const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
      const listed = manifest.reports[0].files.find((f: { kind: string }) => f.kind === 'sarif');
      assert.deepEqual({ ...listed, path: undefined, sha256: undefined }, { kind: 'sarif', path: undefined, fileName: 'findings.sarif', mediaType: 'application/sarif+json', size: listed.size, sha256: undefined });
      const bytes = entries.get(listed.path)!;
      assert.ok(manifest.entries.some((e: { path: string; sha256: string; size: number }) => e.path === listed.path && e.size === bytes.length && e.sha256 === crypto.createHash('sha256').update(bytes).digest('hex')));
      const log = JSON.parse(bytes.toString('utf8'));
      assertValidSarif(log);
      assert.deepEqual(log, (await exportedSarif(server, created.body.id)).log);
      assert.deepEqual(log.runs[0].results[0].partialFingerprints, { primaryLocationLineHash: 'z:1' });
    });

    it('keeps small findings.sarif exports in memory and stages them past the budget, with the same bytes either way', async () => {
      const created = await uploadSarif(server, sarifLog([{ rule: 'xss', file: 'src/b.py', line: 9, hash: 'b:9', cwe: [79] }]), { projectName: 'Budget', projectVersion: '1.0.0' });
      const source = { reportId: created.body.id, projectName: 'Budget', projectVersion: '1.0.0', reportType: created.body.reportType, date: created.body.date };
      const stage = (stream: Readable) => stageStream(stream, server.ctx.stagingDir, Number.MAX_SAFE_INTEGER);
      const inMemory = (await stageSarifExports(server.ctx.db, stage, [source])).get(created.body.id)!;
      const onDisk = (await stageSarifExports(server.ctx.db, stage, [source], 16)).get(created.body.id)!;
      assert.ok('bytes' in inMemory && 'path' in onDisk);
      assert.deepEqual(fs.readFileSync(onDisk.path), inMemory.bytes);
      assert.equal(onDisk.size, inMemory.bytes.length);
      assert.equal(onDisk.sha256, inMemory.sha256);
      assert.equal(inMemory.sha256, crypto.createHash('sha256').update(inMemory.bytes).digest('hex'));
      await discardGenerated(onDisk);
      assert.equal(fs.existsSync(onDisk.path), false);
    });

    it('answers 404 for the SARIF of a report of another organisation', async () => {
      const created = await uploadSarif(server, sarifLog([]), { projectName: 'Mine', projectVersion: '1.0.0' });
      const other = await server.addOrganization('Other');
      const response = await fetch(`${server.url}/security/report/${created.body.id}/sarif?org=${other.orgId}`);
      assert.equal(response.status, 404);
      assert.equal((await readApi(server, `/security/report/${created.body.id}/sarif?org=${server.orgId}`)).status, 200);
    });
  });
}
