/**
 * Findings diff benchmark (issue 14): GET /api/orgs/{orgId}/findings/diff between two versions of
 * one product holding --diff findings each (default 100 000; a tenth fixed, a tenth new), on SQLite
 * and PostgreSQL, through the real HTTP server: the first page of each list, its size in bytes,
 * and a walk through every page of the `new` list. Same-run baseline: the same diff of 1 000
 * findings per version in the same database.
 *
 *   npm run bench -- findings-diff [--dialects sqlite,postgres] [--requests 300] [--diff 100000]
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createContext, loadConfig, startServer, type AppContext } from '@arkiv/server';
import { createApiToken } from '../packages/server/src/accounts/tokens.js';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    requests: { type: 'string', default: '300' },
    diff: { type: 'string', default: '100000' },
  },
});

const CWES = [79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200, 863, 918, 119, 476, 798, 190, 400, 306];
const ROWS_PER_INSERT = 1000;

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

for (const dialect of args.dialects.split(',') as Dialect[]) {
  // Named by process: two runs at once must not drop each other's database.
  const database = await createBenchDatabase(dialect, `findings_diff_${process.pid}`);
  const config = loadConfig({ ...database.env, ARKIV_PORT: '0', ARKIV_LOG_LEVEL: 'warn', ARKIV_SECRET_KEY: 'findings-benchmark-secret-key-0123456789' });
  const ctx = await createContext(config);
  try {
    if (dialect === 'sqlite') await sql`pragma synchronous = off`.execute(ctx.db);
    const started = performance.now();
    const wide = crypto.randomUUID();
    const narrow = crypto.randomUUID();
    await seedDiff(ctx, wide, Number(args.diff));
    await seedDiff(ctx, narrow, 1000);
    if (dialect === 'postgres') await sql`analyze`.execute(ctx.db);
    if (dialect === 'sqlite') await sql`pragma synchronous = normal`.execute(ctx.db);
    console.log(`${dialect}: seeded two versions of ${args.diff} findings (+ two of 1 000) in ${((performance.now() - started) / 1000).toFixed(0)} s; load ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}`);
    const server = await startServer(config, { ctx });
    try {
      const token = async (orgId: string) => (await createApiToken(ctx.db, { orgId, name: 'bench', scopes: ['read'] })).token;
      const tokens = { wide: await token(wide), narrow: await token(narrow) };
      const diffRequests = Math.max(10, Math.floor(Number(args.requests) / 10));
      console.log(`| engine | diff, first page of each list (limit 100) | counts | bytes | p50 / p99 ms | every page of new: pages, total ms |`);
      console.log('|---|---|---|---|---|---|');
      for (const [label, orgId, key, perVersion] of [['baseline', narrow, 'narrow', 1000], ['wide', wide, 'wide', Number(args.diff)]] as const) {
        const d = await timeDiff(`${server.url}/api/orgs/${orgId}/findings/diff?project=Wide&from=1.0.0&to=2.0.0&limit=100`, tokens[key], diffRequests);
        console.log(`| ${dialect} | ${label}: ${perVersion} findings per version | ${d.counts} | ${d.bytes} | ${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} | ${d.pages}, ${d.walkMs.toFixed(0)} |`);
      }
    } finally {
      await server.close();
    }
  } finally {
    await database.drop();
  }
}
