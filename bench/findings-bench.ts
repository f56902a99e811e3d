/**
 * Findings search benchmark (issue 14): the first page of GET /api/orgs/{orgId}/findings over an
 * organisation holding N findings in V product versions (default 1 000 000 in 1 000), on SQLite
 * and PostgreSQL, through the real HTTP server. Same-run baseline: the same searches against a
 * small organisation (1 000 findings in 10 versions) in the same database, so "cost grows with
 * the page, not the table" reads directly off the two columns.
 *
 * It then diffs two versions of one product holding --diff findings each (default 100 000; a
 * tenth fixed, a tenth new): the first page of each list, its size in bytes, and a walk through
 * every page of the `new` list, against the same diff of 1 000 findings per version.
 *
 *   npm run bench -- findings [--dialects sqlite,postgres] [--findings 1000000] [--versions 1000] [--requests 300] [--diff 100000]
 */
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import { createContext, loadConfig, startServer, type AppContext } from '@arkiv/server';
import { createApiToken } from '../packages/server/src/accounts/tokens.js';
import { searchQuery } from '../packages/server/src/findings/search-query.js';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    findings: { type: 'string', default: '1000000' },
    versions: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '300' },
    diff: { type: 'string', default: '100000' },
  },
});

const CWES = [79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200, 863, 918, 119, 476, 798, 190, 400, 306];
const PRODUCTS = ['Payments API', 'Storefront', 'Mobile App', 'Back Office'];
const ROWS_PER_INSERT = 1000;

/** Reports and findings inserted in bulk (multi-row inserts in large transactions), after Arkiv's own migrations. */
async function seed(ctx: AppContext, orgId: string, totalFindings: number, versions: number): Promise<void> {
  await ctx.db.insertInto('organizations').values({ id: orgId, name: `bench ${totalFindings}`, require_read_token: 0, created_at: Date.now() }).execute();
  const perVersion = Math.ceil(totalFindings / versions);
  for (let v = 0; v < versions; v++) {
    const reportId = crypto.randomUUID();
    const projectName = PRODUCTS[v % PRODUCTS.length]!;
    const major = Math.floor(v / PRODUCTS.length);
    const projectVersion = `${major}.${v % 3}.0`;
    const versionKey = `${String(major).padStart(16, '0')}.${String(v % 3).padStart(16, '0')}.${'0'.repeat(16)}.~`;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('reports').values({
        id: reportId, org_id: orgId, project_name: projectName, project_version: projectVersion, version_key: versionKey, report_type: 'CWE Top 25',
        report_version: 2024, date: '2026-01-01T00:00:00Z', date_ms: Date.parse('2026-01-01T00:00:00Z'), uploaded_at: Date.now(), vulnerabilities_count: 0, security_rating: 'A',
      }).execute();
      for (let start = 0; start < perVersion; start += ROWS_PER_INSERT) {
        const rows = [];
        for (let seq = start; seq < Math.min(perVersion, start + ROWS_PER_INSERT); seq++) {
          const cwe = CWES[(seq * 7 + v) % CWES.length]!;
          rows.push({
            report_id: reportId, seq, org_id: orgId, project_name: projectName, project_version: projectVersion, version_key: versionKey, report_type: 'CWE Top 25',
            fingerprint: `fp-${seq}`, rule_id: `rule-${seq % 300}`, rule_name: null, kind: 'vulnerability', severity: 'high', status: seq % 5 === 0 ? 'fixed' : 'open',
            file: `src/module${seq % 50}/File${seq}.java`, line: seq + 1, message: `Finding ${seq} of version ${projectVersion}`, cwe: String(cwe), owasp: 'A03', fingerprints: null,
          });
        }
        await trx.insertInto('report_findings').values(rows).execute();
        await trx.insertInto('finding_cwes').values(rows.map((r) => ({ report_id: r.report_id, seq: r.seq, org_id: orgId, cwe: Number(r.cwe), project_name: r.project_name, version_key: r.version_key, status: r.status }))).execute();
      }
    });
  }
}

const SEARCHES: Array<[string, string]> = [
  ['cwe=89', 'cwe=89'],
  ['cwe=89, one product, open', 'cwe=89&project=Storefront&status=open'],
  ['cwe=89, version range', 'cwe=89&minver=100.0.0&maxver=200.0.0'],
  ['rule=rule-7', 'rule=rule-7'],
  ['file=one path', 'file=src/module7/File7.java'],
  ['file=directory (1 in 50)', 'file=src/module7/'],
  ['everything', ''],
];

/** Two versions of product "Wide" with `perVersion` findings each: fp-0 … fp-(n-1) in 1.0.0, fp-(n/10) … fp-(11n/10 - 1) in 2.0.0. */
async function seedDiff(ctx: AppContext, orgId: string, perVersion: number): Promise<void> {
  await ctx.db.insertInto('organizations').values({ id: orgId, name: `bench diff ${perVersion}`, require_read_token: 0, created_at: Date.now() }).execute();
  for (const [major, offset] of [[1, 0], [2, Math.floor(perVersion / 10)]] as const) {
    const reportId = crypto.randomUUID();
    const versionKey = `${String(major).padStart(16, '0')}.${'0'.repeat(16)}.${'0'.repeat(16)}.~`;
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('reports').values({
        id: reportId, org_id: orgId, project_name: 'Wide', project_version: `${major}.0.0`, version_key: versionKey, report_type: 'CWE Top 25',
        report_version: 2024, date: '2026-01-01T00:00:00Z', date_ms: Date.parse('2026-01-01T00:00:00Z'), uploaded_at: Date.now(), vulnerabilities_count: 0, security_rating: 'A',
      }).execute();
      for (let start = 0; start < perVersion; start += ROWS_PER_INSERT) {
        const rows = [];
        for (let seq = start; seq < Math.min(perVersion, start + ROWS_PER_INSERT); seq++) {
          const n = seq + offset;
          rows.push({
            report_id: reportId, seq, org_id: orgId, project_name: 'Wide', project_version: `${major}.0.0`, version_key: versionKey, report_type: 'CWE Top 25',
            fingerprint: `fp-${n}`, rule_id: `rule-${n % 300}`, rule_name: null, kind: 'vulnerability', severity: 'high', status: 'open',
            file: `src/module${n % 50}/File${n}.java`, line: n + 1, message: `Finding ${n}`, cwe: String(CWES[n % CWES.length]), owasp: 'A03', fingerprints: null,
          });
        }
        await trx.insertInto('report_findings').values(rows).execute();
      }
    });
  }
}

async function timeDiff(url: string, token: string, requests: number): Promise<{ p50: number; p99: number; bytes: number; counts: string; walkMs: number; pages: number }> {
  const once = async (cursor?: string) => {
    const started = performance.now();
    const response = await fetch(cursor ? `${url}&cursor=${cursor}` : url, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${text}`);
    return { ms: performance.now() - started, bytes: text.length, body: JSON.parse(text) as { counts: Record<string, number>; nextCursor: { new: string | null } } };
  };
  for (let i = 0; i < 5; i++) await once();
  const times: number[] = [];
  let last = await once();
  for (let i = 0; i < requests; i++) {
    last = await once();
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  // Every page of the new list, as a client exporting the diff would read it.
  const walkStarted = performance.now();
  let pages = 1;
  for (let cursor = last.body.nextCursor.new; cursor; pages++) cursor = (await once(cursor)).body.nextCursor.new;
  return {
    p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!,
    bytes: last.bytes, counts: JSON.stringify(last.body.counts), walkMs: performance.now() - walkStarted, pages,
  };
}

async function timeSearch(url: string, token: string, requests: number): Promise<{ p50: number; p99: number; rows: number }> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { groups: Array<{ findings: unknown[] }> };
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, rows: body.groups.reduce((n, g) => n + g.findings.length, 0) };
  };
  for (let i = 0; i < 20; i++) await once();
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < requests; i++) {
    const { ms, rows: r } = await once();
    times.push(ms);
    rows = r;
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]!, rows };
}

for (const dialect of args.dialects.split(',') as Dialect[]) {
  const database = await createBenchDatabase(dialect, 'findings');
  const config = loadConfig({ ...database.env, ARKIV_PORT: '0', ARKIV_LOG_LEVEL: 'warn', ARKIV_SECRET_KEY: 'findings-benchmark-secret-key-0123456789' });
  const ctx = await createContext(config);
  try {
    if (dialect === 'sqlite') await sql`pragma synchronous = off`.execute(ctx.db);
    const big = crypto.randomUUID();
    const small = crypto.randomUUID();
    const started = performance.now();
    await seed(ctx, big, Number(args.findings), Number(args.versions));
    await seed(ctx, small, 1000, 10);
    const wide = crypto.randomUUID();
    const narrow = crypto.randomUUID();
    await seedDiff(ctx, wide, Number(args.diff));
    await seedDiff(ctx, narrow, 1000);
    if (dialect === 'postgres') await sql`analyze`.execute(ctx.db);
    if (dialect === 'sqlite') await sql`pragma synchronous = normal`.execute(ctx.db);
    console.log(`${dialect}: seeded ${args.findings} findings in ${args.versions} versions (+ 1 000 in 10) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const server = await startServer(config, { ctx });
    try {
      const token = async (orgId: string) => (await createApiToken(ctx.db, { orgId, name: 'bench', scopes: ['read'] })).token;
      const tokens = { big: await token(big), small: await token(small), wide: await token(wide), narrow: await token(narrow) };
      console.log(`| engine | search (limit 100) | rows | small org p50 / p99 ms | ${args.findings} findings p50 / p99 ms |`);
      console.log('|---|---|---|---|---|');
      for (const [name, query] of SEARCHES) {
        const baseline = await timeSearch(`${server.url}/api/orgs/${small}/findings?limit=100&${query}`, tokens.small, Number(args.requests));
        const large = await timeSearch(`${server.url}/api/orgs/${big}/findings?limit=100&${query}`, tokens.big, Number(args.requests));
        console.log(`| ${dialect} | ${name} | ${large.rows} | ${baseline.p50.toFixed(1)} / ${baseline.p99.toFixed(1)} | ${large.p50.toFixed(1)} / ${large.p99.toFixed(1)} |`);
      }
      const diffRequests = Math.max(10, Math.floor(Number(args.requests) / 10));
      console.log(`\n| engine | diff, first page of each list (limit 100) | counts | bytes | p50 / p99 ms | every page of new: pages, total ms |`);
      console.log('|---|---|---|---|---|---|');
      for (const [label, orgId, key, perVersion] of [['baseline', narrow, 'narrow', 1000], ['wide', wide, 'wide', Number(args.diff)]] as const) {
        const d = await timeDiff(`${server.url}/api/orgs/${orgId}/findings/diff?project=Wide&from=1.0.0&to=2.0.0&limit=100`, tokens[key], diffRequests);
        console.log(`| ${dialect} | ${label}: ${perVersion} findings per version | ${d.counts} | ${d.bytes} | ${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} | ${d.pages}, ${d.walkMs.toFixed(0)} |`);
      }
      // The plan of the first page of the CWE search: which index, and (PostgreSQL) how many rows and buffers it touched.
      const compiled = searchQuery(ctx.db, { orgId: big, cwe: 89, limit: 100 }).compile();
      const explain = dialect === 'postgres' ? 'explain (analyze, buffers, costs off) ' : 'explain query plan ';
      const plan = await ctx.db.executeQuery(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
      console.log(`\n${dialect} plan of cwe=89, first page:\n${plan.rows.map((r) => Object.values(r as object).filter((v) => typeof v === 'string').join(' ')).join('\n')}`);
    } finally {
      await server.close();
    }
  } finally {
    await database.drop();
  }
}
