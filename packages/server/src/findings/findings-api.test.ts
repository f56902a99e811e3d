import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { readApi, sarifLog, uploadSarif, type ResultSpec } from './findings-test-helpers.js';

/*
 * The fixture: product "Shop", 2.4.0 → 2.5.0, findings known by their partialFingerprints.
 *   A  sql-injection  CWE-89  A03   open in 2.4.0, gone in 2.5.0              → fixed
 *   B  xss            CWE-79  A03   open in both (moved from line 5 to 9)     → unchanged
 *   C  path-traversal CWE-22  A01   open in 2.4.0, suppressed in 2.5.0        → fixed
 *   X  csrf           CWE-352 A01   suppressed in 2.4.0, open in 2.5.0        → new
 *   D  sql-injection  CWE-89  A03   only in 2.5.0                             → new
 *   E  hardcoded-cred CWE-798 A07   only in 2.5.0                             → new
 */
const A: ResultSpec = { rule: 'sql-injection', file: 'src/db.py', line: 10, hash: 'A', cwe: [89], owasp: ['A03'] };
const B: ResultSpec = { rule: 'xss', file: 'src/view.py', line: 5, hash: 'B', cwe: [79], owasp: ['A03'], level: 'warning' };
const C: ResultSpec = { rule: 'path-traversal', file: 'src/files.py', line: 3, hash: 'C', cwe: [22], owasp: ['A01'] };
const X: ResultSpec = { rule: 'csrf', file: 'src/forms.py', line: 1, hash: 'X', cwe: [352], owasp: ['A01'] };
const D: ResultSpec = { rule: 'sql-injection', file: 'src/report.py', line: 44, hash: 'D', cwe: [89], owasp: ['A03'] };
const E: ResultSpec = { rule: 'hardcoded-cred', file: 'lib/config.py', line: 2, hash: 'E', cwe: [798], owasp: ['A07'], level: 'note' };

const V240 = [A, B, C, { ...X, suppressed: true }];
const V250 = [{ ...B, line: 9 }, { ...C, suppressed: true }, X, D, E];

const files = (list: Array<{ file: string | null }>) => list.map((f) => f.file);

for (const dialect of testDialects) {
  describe(`findings diff, search and trends on ${dialect}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
      const hook = await fetch(`${server.url}/api/orgs/${server.orgId}/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/findings' }),
      });
      assert.equal(hook.status, 201, await hook.text());
      for (const [version, results] of [['2.4.0', V240], ['2.5.0-rc.1', [A, D]], ['2.5.0', V250], ['2.10.0', [D]]] as const) {
        for (const reportType of ['CWE Top 25', 'OWASP Top 10']) {
          const sent = await uploadSarif(server, sarifLog(results), { projectName: 'Shop', projectVersion: version, reportType });
          assert.equal(sent.status, 201, JSON.stringify(sent.body));
        }
      }
      assert.equal((await uploadSarif(server, sarifLog([A]), { projectName: 'Other', projectVersion: '1.0.0' })).status, 201);
    });
    after(async () => server.stop());

    it('diffs two versions by fingerprint: exactly the known additions and removals, with counts per CWE and category', async () => {
      const { status, body } = await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Shop&from=2.4.0&to=2.5.0`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body.counts, { new: 3, fixed: 2, unchanged: 1 });
      assert.deepEqual(body.new.map((f: { fingerprint: string }) => f.fingerprint).length, 3);
      assert.deepEqual(files(body.new), ['lib/config.py', 'src/forms.py', 'src/report.py']);
      assert.deepEqual(files(body.fixed), ['src/db.py', 'src/files.py']);
      assert.deepEqual(files(body.unchanged), ['src/view.py']);
      assert.equal(body.unchanged[0].line, 9, 'as the later version shows it');
      assert.deepEqual(body.byCwe, {
        'CWE-89': { new: 1, fixed: 1, unchanged: 0 },
        'CWE-79': { new: 0, fixed: 0, unchanged: 1 },
        'CWE-22': { new: 0, fixed: 1, unchanged: 0 },
        'CWE-352': { new: 1, fixed: 0, unchanged: 0 },
        'CWE-798': { new: 1, fixed: 0, unchanged: 0 },
      });
      assert.deepEqual(body.byCategory, {
        A03: { new: 1, fixed: 1, unchanged: 1 },
        A01: { new: 1, fixed: 1, unchanged: 0 },
        A07: { new: 1, fixed: 0, unchanged: 0 },
      });
      assert.deepEqual(Object.keys(body.new[0]).sort(), ['cwe', 'file', 'fingerprint', 'kind', 'line', 'message', 'owasp', 'reportId', 'reportType', 'ruleId', 'ruleName', 'severity', 'status'].sort());
      assert.equal(body.new[0].severity, 'low');
      assert.equal(body.new[0].ruleName, 'hardcoded-cred rule');
    });

    it('diffs within one report type, backwards, and refuses what it cannot answer', async () => {
      const typed = await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Shop&from=2.4.0&to=2.5.0&reportType=OWASP%20Top%2010`);
      assert.deepEqual(typed.body.counts, { new: 3, fixed: 2, unchanged: 1 });
      assert.ok(typed.body.new.every((f: { reportType: string }) => f.reportType === 'OWASP Top 10'));
      const backwards = await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Shop&from=2.5.0&to=2.4.0`);
      assert.deepEqual(backwards.body.counts, { new: 2, fixed: 3, unchanged: 1 });
      const missing = await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Shop&from=2.4.0&to=9.0.0`);
      assert.equal(missing.status, 404);
      assert.match(missing.body.message, /Shop at version 9\.0\.0/);
      const badVersion = await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Shop&from=banana&to=2.5.0`);
      assert.equal(badVersion.status, 400);
      assert.equal(badVersion.body.code, 'invalid_version');
    });

    it('pages each diff list by its own cursor, with counts over the whole diff on every page', async () => {
      const base = `/api/orgs/${server.orgId}/findings/diff?project=Shop&from=2.4.0&to=2.5.0`;
      const full = await readApi(server, base);
      assert.deepEqual(full.body.nextCursor, { new: null, fixed: null, unchanged: null });
      const first = await readApi(server, `${base}&limit=1`);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.counts, { new: 3, fixed: 2, unchanged: 1 });
      assert.deepEqual(first.body.byCwe, full.body.byCwe);
      assert.deepEqual([files(first.body.new), files(first.body.fixed), files(first.body.unchanged)], [['lib/config.py'], ['src/db.py'], ['src/view.py']]);
      assert.equal(first.body.nextCursor.unchanged, null);
      for (const list of ['new', 'fixed'] as const) {
        const seen = files(first.body[list]);
        let cursor: string | null = first.body.nextCursor[list];
        while (cursor) {
          const page: { status: number; body: Record<string, any> } = await readApi(server, `${base}&limit=1&cursor=${cursor}`);
          assert.equal(page.status, 200, JSON.stringify(page.body));
          assert.deepEqual(page.body.counts, { new: 3, fixed: 2, unchanged: 1 }, 'counts stay complete');
          for (const other of ['new', 'fixed', 'unchanged'].filter((l) => l !== list)) {
            assert.deepEqual(page.body[other], [], `a ${list} cursor pages ${list} only`);
            assert.equal(page.body.nextCursor[other], null);
          }
          assert.equal(page.body[list].length, 1);
          seen.push(...files(page.body[list]));
          cursor = page.body.nextCursor[list];
        }
        assert.deepEqual(seen, files(full.body[list]), `${list}: every finding once, in place order`);
      }
      const bad = await readApi(server, `${base}&cursor=${Buffer.from('["gone","",0,"",""]').toString('base64url')}`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_parameter');
      assert.equal((await readApi(server, `${base}&limit=0`)).status, 400);
    });

    it('searches by file path: an exact path, a directory prefix, across products, paged, wildcards taken literally', async () => {
      const groups = async (query: string) => {
        const { status, body } = await readApi(server, `/api/orgs/${server.orgId}/findings?reportType=CWE%20Top%2025&${query}`);
        assert.equal(status, 200, JSON.stringify(body));
        return (body.groups as Array<{ projectName: string; projectVersion: string; findings: Array<{ file: string }> }>).map((g) => `${g.projectName} ${g.projectVersion}: ${g.findings.map((f) => f.file).join(' ')}`);
      };
      assert.deepEqual(await groups('file=src/db.py'), ['Other 1.0.0: src/db.py', 'Shop 2.4.0: src/db.py', 'Shop 2.5.0-rc.1: src/db.py']);
      assert.deepEqual(await groups('file=lib/'), ['Shop 2.5.0: lib/config.py']);
      assert.deepEqual(await groups('file=src/re&status=open'), ['Shop 2.5.0-rc.1: src/report.py', 'Shop 2.5.0: src/report.py', 'Shop 2.10.0: src/report.py']);
      assert.deepEqual(await groups('file=src/%25'), [], '% is a character, not a wildcard');
      assert.deepEqual(await groups('file=src/_b.py'), []);
      assert.deepEqual(await groups('file=src/db.py&minver=2.5.0-rc.1'), ['Shop 2.5.0-rc.1: src/db.py']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: Record<string, any> } = await readApi(server, `/api/orgs/${server.orgId}/findings?reportType=CWE%20Top%2025&file=src/&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        for (const group of page.body.groups) for (const f of group.findings) seen.push(`${group.projectName} ${group.projectVersion} ${f.file}`);
        cursor = page.body.nextCursor;
      } while (cursor);
      const whole = await readApi(server, `/api/orgs/${server.orgId}/findings?reportType=CWE%20Top%2025&file=src/&limit=1000`);
      const all = (whole.body.groups as Array<{ projectName: string; projectVersion: string; findings: Array<{ file: string }> }>).flatMap((g) => g.findings.map((f) => `${g.projectName} ${g.projectVersion} ${f.file}`));
      assert.equal(all.length, 12);
      assert.deepEqual(seen, all, 'pages of 3 hold every finding once, in version order');
    });

    it('searches by CWE across versions, grouped by product version in semver order, and pages without gaps', async () => {
      const { status, body } = await readApi(server, `/api/orgs/${server.orgId}/findings?cwe=CWE-89&project=Shop&reportType=CWE%20Top%2025`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(body.groups.map((g: { projectVersion: string }) => g.projectVersion), ['2.4.0', '2.5.0-rc.1', '2.5.0', '2.10.0']);
      assert.deepEqual(body.groups.map((g: { findings: unknown[] }) => files(g.findings as Array<{ file: string }>)), [['src/db.py'], ['src/db.py', 'src/report.py'], ['src/report.py'], ['src/report.py']]);
      assert.equal(body.nextCursor, null);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { body: Record<string, any> } = await readApi(server, `/api/orgs/${server.orgId}/findings?cwe=89&project=Shop&reportType=CWE%20Top%2025&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        for (const group of page.body.groups) for (const f of group.findings) seen.push(`${group.projectVersion} ${f.file}`);
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ['2.4.0 src/db.py', '2.5.0-rc.1 src/db.py', '2.5.0-rc.1 src/report.py', '2.5.0 src/report.py', '2.10.0 src/report.py']);
    });

    it('narrows a search by version range, status, rule, file prefix and product', async () => {
      const count = async (query: string) => {
        const { status, body } = await readApi(server, `/api/orgs/${server.orgId}/findings?reportType=CWE%20Top%2025&${query}`);
        assert.equal(status, 200, JSON.stringify(body));
        return (body.groups as Array<{ projectName: string; projectVersion: string; findings: unknown[] }>).map((g) => `${g.projectName} ${g.projectVersion}: ${g.findings.length}`);
      };
      assert.deepEqual(await count('cwe=89&minver=2.5.0-rc.1&maxver=2.5.0'), ['Shop 2.5.0-rc.1: 2', 'Shop 2.5.0: 1']);
      assert.deepEqual(await count('cwe=89'), ['Other 1.0.0: 1', 'Shop 2.4.0: 1', 'Shop 2.5.0-rc.1: 2', 'Shop 2.5.0: 1', 'Shop 2.10.0: 1']);
      assert.deepEqual(await count('cwe=22&status=open'), ['Shop 2.4.0: 1']);
      assert.deepEqual(await count('cwe=22&status=accepted'), ['Shop 2.5.0: 1']);
      assert.deepEqual(await count('rule=xss&project=Shop'), ['Shop 2.4.0: 1', 'Shop 2.5.0: 1']);
      // A rule and a CWE: the rule's findings that carry the CWE (the rule's index walked, the CWE checked).
      assert.deepEqual(await count('cwe=89&rule=sql-injection'), ['Other 1.0.0: 1', 'Shop 2.4.0: 1', 'Shop 2.5.0-rc.1: 2', 'Shop 2.5.0: 1', 'Shop 2.10.0: 1']);
      assert.deepEqual(await count('cwe=89&rule=sql-injection&project=Shop&minver=2.5.0'), ['Shop 2.5.0: 1', 'Shop 2.10.0: 1']);
      assert.deepEqual(await count('cwe=79&rule=sql-injection'), []);
      assert.deepEqual(await count('file=src/f&project=Shop'), ['Shop 2.4.0: 2', 'Shop 2.5.0: 2']);
      assert.deepEqual(await count('project=Shop&maxver=2.4.0'), ['Shop 2.4.0: 4']);
      const bad = await readApi(server, `/api/orgs/${server.orgId}/findings?cwe=sql`);
      assert.equal(bad.status, 400);
      const badCursor = await readApi(server, `/api/orgs/${server.orgId}/findings?cursor=nonsense`);
      assert.equal(badCursor.status, 400);
    });

    it('counts open findings per version in semver order, by severity and category', async () => {
      const { status, body } = await readApi(server, `/api/orgs/${server.orgId}/findings/trends?project=Shop`);
      assert.equal(status, 200, JSON.stringify(body));
      const versions = body.versions as Array<{ projectVersion: string; date: string; total: number; bySeverity: Record<string, number>; byCategory: Record<string, number> }>;
      assert.deepEqual(versions.map((v) => `${v.projectVersion}: ${v.total}`), ['2.4.0: 3', '2.5.0-rc.1: 2', '2.5.0: 4', '2.10.0: 1']);
      assert.deepEqual(versions[2]!.bySeverity, { critical: 0, high: 2, medium: 1, low: 1, info: 0 });
      assert.deepEqual(versions[2]!.byCategory, { A01: 1, A03: 2, A07: 1 });
      assert.equal(typeof versions[0]!.date, 'string');
    });

    it('gives report.created webhook events the findings new and fixed against the previous version', async () => {
      const events = await server.ctx.db.selectFrom('webhook_events').select('payload').where('type', '=', 'report.created').orderBy('id').execute();
      const deltas = events.flatMap((e) => {
        const payload = JSON.parse(e.payload) as { reports: Array<{ id: string; projectName: string; projectVersion: string; reportType: string }>; findingsDelta: Record<string, unknown> };
        assert.deepEqual(Object.keys(payload.findingsDelta), payload.reports.map((r) => r.id));
        return payload.reports.filter((r) => r.projectName === 'Shop' && r.reportType === 'CWE Top 25').map((r) => [r.projectVersion, payload.findingsDelta[r.id]]);
      });
      assert.deepEqual(deltas, [
        ['2.4.0', { new: 3, fixed: 0, previousVersion: null }],
        ['2.5.0-rc.1', { new: 1, fixed: 2, previousVersion: '2.4.0' }],
        ['2.5.0', { new: 3, fixed: 1, previousVersion: '2.5.0-rc.1' }],
        ['2.10.0', { new: 0, fixed: 3, previousVersion: '2.5.0' }],
      ]);
    });

    it('recounts a diff after a report changes (counts are kept per reports revision, never stale)', async () => {
      const diff = async () => (await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Cache&from=1.0.0&to=2.0.0&limit=1`)).body;
      assert.equal((await uploadSarif(server, sarifLog([A, B]), { projectName: 'Cache', projectVersion: '1.0.0' })).status, 201);
      assert.equal((await uploadSarif(server, sarifLog([A, D]), { projectName: 'Cache', projectVersion: '2.0.0' })).status, 201);
      const first = await diff();
      assert.deepEqual(first.counts, { new: 1, fixed: 1, unchanged: 1 });
      assert.deepEqual((await diff()).counts, first.counts, 'asked again: the same');
      // The same report identity uploaded again replaces 2.0.0's findings.
      assert.equal((await uploadSarif(server, sarifLog([D, E]), { projectName: 'Cache', projectVersion: '2.0.0' })).status, 200);
      const after = await diff();
      assert.deepEqual(after.counts, { new: 2, fixed: 2, unchanged: 0 });
      assert.deepEqual(after.byCwe['CWE-798'], { new: 1, fixed: 0, unchanged: 0 });
      const next = await readApi(server, `/api/orgs/${server.orgId}/findings/diff?project=Cache&from=1.0.0&to=2.0.0&limit=1&cursor=${after.nextCursor.new}`);
      assert.deepEqual(next.body.counts, after.counts, 'a later page carries the same complete counts');
    });
  });
}
