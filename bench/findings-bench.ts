/**
 * Findings search benchmark (issue 14): the first page of GET /api/orgs/{orgId}/findings over an
 * organisation holding N findings in V product versions (default 1 000 000 in 1 000), on SQLite
 * and PostgreSQL, through the real HTTP server running in a process of its own. Same-run baseline:
 * the same searches against a small organisation (1 000 findings in 10 versions) in the same
 * database, requests to the two interleaved (small, large, large, small, …) so both see the same
 * machine load. "Cost grows with the page, not the table" reads off the ratio large / small.
 *
 * Three times per request, as p50 / p95 / p99:
 * - client: wall-clock at the load generator (HTTP and JSON included; the most exposed to load);
 * - server: wall-clock inside the server process, from the request's arrival to its response
 *   handed to the socket (diagnostics channels, bench/findings/server-child.mjs);
 * - CPU: the server process's CPU time (user + system) over the same span: what the request
 *   costs whatever else runs on the machine. On PostgreSQL the query runs in a backend process:
 *   its CPU time per request is read from /proc (clock ticks, so only the mean is given).
 * Then every filter combination's plan on the large organisation: which index, and whether any
 * step sorts (SQLite "USE TEMP B-TREE", PostgreSQL "Sort") or scans a table whole.
 *
 *   npm run bench -- findings [--dialects sqlite,postgres] [--findings 1000000] [--versions 1000] [--requests 300] [--only rule]
 *
 * `--only TEXT` keeps the searches whose query string contains TEXT.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import { createContext, loadConfig, type AppContext } from '@arkiv/server';
import { createApiToken } from '../packages/server/src/accounts/tokens.js';
import { searchQuery, type FindingSearch } from '../packages/server/src/findings/search-query.js';
import { parseVersion } from '../packages/server/src/reports/versions.js';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    findings: { type: 'string', default: '1000000' },
    versions: { type: 'string', default: '1000' },
    requests: { type: 'string', default: '300' },
    only: { type: 'string' },
  },
});

const CWES = [79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269, 502, 200, 863, 918, 119, 476, 798, 190, 400, 306];
const PRODUCTS = ['Payments API', 'Storefront', 'Mobile App', 'Back Office'];
const ROWS_PER_INSERT = 1000;
const WARM_UP = 20;

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

/** Every filter the search route takes, alone and with a CWE or a rule (the two indexed walks). */
const ALL_SEARCHES = [
  'cwe=89',
  'cwe=89&project=Storefront',
  'cwe=89&status=open',
  'cwe=89&status=fixed',
  'cwe=89&project=Storefront&status=open',
  'cwe=89&minver=100.0.0&maxver=200.0.0',
  'cwe=89&project=Storefront&minver=100.0.0&maxver=200.0.0&status=open',
  'cwe=89&rule=rule-7',
  'rule=rule-7',
  'rule=rule-7&project=Storefront',
  'rule=rule-7&status=open',
  'rule=rule-7&minver=100.0.0&maxver=200.0.0',
  'project=Storefront',
  'project=Storefront&status=open',
  'status=open',
  'status=fixed',
  'minver=100.0.0&maxver=200.0.0',
  'reportType=CWE%20Top%2025',
  'file=src/module7/File7.java',
  'file=src/module7/',
  '',
];
const SEARCHES = args.only === undefined ? ALL_SEARCHES : ALL_SEARCHES.filter((q) => q.includes(args.only!));

/** The route's reading of a query string, for the plan of the same search. */
function searchOf(orgId: string, query: string): FindingSearch {
  const q = new URLSearchParams(query);
  const key = (name: string) => (q.has(name) ? parseVersion(q.get(name)!)!.key : undefined);
  return {
    orgId,
    limit: 100,
    cwe: q.has('cwe') ? Number(q.get('cwe')) : undefined,
    ruleId: q.get('rule') ?? undefined,
    file: q.get('file') ?? undefined,
    projectName: q.get('project') ?? undefined,
    reportType: q.get('reportType') ?? undefined,
    status: q.get('status') ?? undefined,
    minKey: key('minver'),
    maxKey: key('maxver'),
  };
}

interface Sample { clientMs: number; wallMs: number; cpuMs: number; backendTicks: number; rows: number }

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
};
const triple = (values: number[]) => [0.5, 0.95, 0.99].map((p) => percentile(values, p).toFixed(1)).join(' / ');
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const loadAverage = () => os.loadavg().map((n) => n.toFixed(1)).join(' ');

/** CPU clock ticks (user + system) of the PostgreSQL backends serving the bench database. */
class BackendCpu {
  private pids: number[] = [];
  private constructor(private readonly admin: pg.Client | undefined, private readonly database: string) {}

  static async open(dialect: Dialect, env: Record<string, string>): Promise<BackendCpu> {
    if (dialect !== 'postgres') return new BackendCpu(undefined, '');
    const url = new URL(env.DATABASE_URL!);
    const database = url.pathname.slice(1);
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    return new BackendCpu(admin, database);
  }

  /** The server's pool connects lazily: ask again once it has served requests. */
  async refresh(): Promise<void> {
    if (!this.admin) return;
    const result = await this.admin.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [this.database]);
    this.pids = result.rows.map((r) => r.pid);
  }

  ticks(): number {
    let total = 0;
    for (const pid of this.pids) {
      try {
        // /proc/<pid>/stat: fields 14 and 15 (utime, stime) after the ")" that ends the command name.
        const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        total += Number(fields[11]) + Number(fields[12]);
      } catch {
        /* a backend that ended */
      }
    }
    return total;
  }

  async close(): Promise<void> {
    await this.admin?.end();
  }
}

const childScript = fileURLToPath(new URL('./findings/server-child.mjs', import.meta.url));
const TICK_MS = 10;

for (const dialect of args.dialects.split(',') as Dialect[]) {
  // Named by process: two runs at once (another checkout's, say) must not drop each other's database.
  const database = await createBenchDatabase(dialect, `findings_${process.pid}`);
  const env = { ...database.env, ARKIV_PORT: '0', ARKIV_LOG_LEVEL: 'warn', ARKIV_SECRET_KEY: 'findings-benchmark-secret-key-0123456789' };
  try {
    const big = crypto.randomUUID();
    const small = crypto.randomUUID();
    const ctx = await createContext(loadConfig(env));
    const tokens = { big: '', small: '' };
    const plans: string[] = [];
    try {
      if (dialect === 'sqlite') await sql`pragma synchronous = off`.execute(ctx.db);
      const started = performance.now();
      await seed(ctx, big, Number(args.findings), Number(args.versions));
      await seed(ctx, small, 1000, 10);
      if (dialect === 'postgres') await sql`analyze`.execute(ctx.db);
      if (dialect === 'sqlite') await sql`pragma synchronous = normal`.execute(ctx.db);
      console.log(`${dialect}: seeded ${args.findings} findings in ${args.versions} versions (+ 1 000 in 10) in ${((performance.now() - started) / 1000).toFixed(0)} s; load ${loadAverage()}`);
      tokens.big = (await createApiToken(ctx.db, { orgId: big, name: 'bench', scopes: ['read'] })).token;
      tokens.small = (await createApiToken(ctx.db, { orgId: small, name: 'bench', scopes: ['read'] })).token;
      for (const query of SEARCHES) plans.push(await planOf(ctx, dialect, searchOf(big, query), query));
    } finally {
      await ctx.database.close();
    }

    const child = fork(childScript, [], { execArgv: ['--conditions=arkiv-source', '--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const backends = await BackendCpu.open(dialect, database.env);
    try {
      const { url } = await new Promise<{ url: string }>((resolve, reject) => {
        child.once('message', (m) => resolve((m as { ready: { url: string } }).ready));
        child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
      });
      const serverSamples = () => new Promise<Array<{ url: string; wallMs: number; cpuMs: number }>>((resolve) => {
        child.once('message', (m) => resolve((m as { samples: Array<{ url: string; wallMs: number; cpuMs: number }> }).samples));
        child.send('samples');
      });
      const once = async (org: string, token: string, query: string): Promise<Omit<Sample, 'wallMs' | 'cpuMs'>> => {
        const ticks = backends.ticks();
        const startedAt = performance.now();
        const response = await fetch(`${url}/api/orgs/${org}/findings?limit=100${query ? `&${query}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await response.json()) as { groups: Array<{ findings: unknown[] }> };
        const clientMs = performance.now() - startedAt;
        if (response.status !== 200) throw new Error(`${query}: ${response.status} ${JSON.stringify(body)}`);
        return { clientMs, backendTicks: backends.ticks() - ticks, rows: body.groups.reduce((n, g) => n + g.findings.length, 0) };
      };

      console.log(`\n${dialect}, first page (limit 100), ${args.requests} requests per organisation, interleaved; p50 / p95 / p99 ms`);
      console.log(`| search | rows: 1 000 / large | client: 1 000 | client: ${args.findings} | server: 1 000 | server: ${args.findings} | CPU: 1 000 | CPU: ${args.findings} | CPU p50 ratio | CPU p99 ratio |${dialect === 'postgres' ? ' backend CPU mean: 1 000 / large |' : ''} load |`);
      console.log(`|---|---|---|---|---|---|---|---|---|---|${dialect === 'postgres' ? '---|' : ''}---|`);
      for (const query of SEARCHES) {
        for (let i = 0; i < WARM_UP; i++) {
          await once(small, tokens.small, query);
          await once(big, tokens.big, query);
        }
        await backends.refresh();
        await serverSamples();
        const measured: Record<'small' | 'big', Sample[]> = { small: [], big: [] };
        for (let i = 0; i < Number(args.requests); i++) {
          // small, large, large, small, …: neither always goes first.
          const order: Array<'small' | 'big'> = i % 2 === 0 ? ['small', 'big'] : ['big', 'small'];
          for (const which of order) {
            const sample = await once(which === 'small' ? small : big, tokens[which], query);
            measured[which].push({ ...sample, wallMs: 0, cpuMs: 0 });
          }
        }
        // The server saw the requests in the same order: pair each sample with its request.
        const fromServer = await serverSamples();
        const all = [...Array(Number(args.requests)).keys()].flatMap((i) => (i % 2 === 0 ? [measured.small[i]!, measured.big[i]!] : [measured.big[i]!, measured.small[i]!]));
        if (fromServer.length !== all.length) throw new Error(`server timed ${fromServer.length} requests, the client sent ${all.length}`);
        fromServer.forEach((s, i) => Object.assign(all[i]!, { wallMs: s.wallMs, cpuMs: s.cpuMs }));
        const pick = (which: 'small' | 'big', field: keyof Sample) => measured[which].map((s) => s[field]);
        const ratio = (p: number) => (percentile(pick('big', 'cpuMs'), p) / percentile(pick('small', 'cpuMs'), p)).toFixed(2);
        const backend = dialect === 'postgres' ? ` ${(mean(pick('small', 'backendTicks')) * TICK_MS).toFixed(1)} / ${(mean(pick('big', 'backendTicks')) * TICK_MS).toFixed(1)} |` : '';
        console.log(`| \`${query || '(none)'}\` | ${measured.small[0]!.rows} / ${measured.big[0]!.rows} | ${triple(pick('small', 'clientMs'))} | ${triple(pick('big', 'clientMs'))} | ${triple(pick('small', 'wallMs'))} | ${triple(pick('big', 'wallMs'))} | ${triple(pick('small', 'cpuMs'))} | ${triple(pick('big', 'cpuMs'))} | ${ratio(0.5)} | ${ratio(0.99)} |${backend} ${loadAverage()} |`);
      }
    } finally {
      await backends.close();
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    console.log(`\n${dialect} plans on the ${args.findings}-finding organisation (first page):\n${plans.join('\n')}`);
  } finally {
    await database.drop();
  }
}

/** The plan of a search's first page, with what to look for flagged: a sort, a whole-table scan. */
async function planOf(ctx: AppContext, dialect: Dialect, search: FindingSearch, query: string): Promise<string> {
  const compiled = searchQuery(ctx.db, search).compile();
  const explain = dialect === 'postgres' ? 'explain (analyze, buffers, costs off) ' : 'explain query plan ';
  const result = await ctx.db.executeQuery(CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]));
  const lines = result.rows.map((r) => Object.values(r as object).filter((v) => typeof v === 'string').join(' '));
  const text = lines.join('\n');
  const sorts = dialect === 'postgres' ? /\bSort\b/.test(text) : /TEMP B-TREE/.test(text);
  const fullScan = dialect === 'postgres' ? /Seq Scan/.test(text) : /\bSCAN \w+(?! USING)/.test(text.replace(/SCAN (\w+) USING/g, 'SEARCH $1 USING'));
  const summary = dialect === 'postgres'
    ? lines.filter((l) => /Index|Scan|Sort|Execution Time|Buffers: shared/.test(l)).slice(0, 8).map((l) => l.trim()).join('; ')
    : lines.join('; ');
  return `- \`${query || '(none)'}\`: ${sorts ? '**SORTS** ' : ''}${fullScan ? '**FULL SCAN** ' : ''}${summary}`;
}
