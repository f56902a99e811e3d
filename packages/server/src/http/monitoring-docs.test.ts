import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MONITORING = path.join(ROOT, 'docs/monitoring');
const RULES = path.join(MONITORING, 'prometheus-alerts.yaml');
const RULE_TESTS = path.join(MONITORING, 'prometheus-alerts-tests.yaml');
const DASHBOARD = path.join(MONITORING, 'grafana-dashboard.json');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const rules = (): Rule[] => (parse(fs.readFileSync(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboardExprs = (): string[] =>
  (JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap((p) => p.targets.map((t) => t.expr));

/** Metric names an expression reads, histogram and summary suffixes taken off. */
const metricsIn = (expr: string) => [...expr.matchAll(/\b(arkiv_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));

/** promtool from Debian's `prometheus` package, when this machine has it. */
function promtool(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'promtool');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

describe('monitoring files in docs/monitoring', () => {
  // The last engine of the run: PostgreSQL when present, which has the pool's metrics too.
  const dialect = testDialects.at(-1)!;
  let server: TestServer;
  before(async () => {
    server = await startTestServer(dialect);
  });
  after(async () => server.stop());

  it('every alert is well formed, explained in docs/operations.md, and reads metrics Arkiv exports', async () => {
    const operations = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
    const exported = new Set([...(await (await fetch(`${server.url}/metrics`)).text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    const onlyOnPostgres = new Set(['arkiv_db_pool_connections']);
    const all = rules();
    assert.ok(all.length >= 8);
    assert.equal(new Set(all.map((r) => r.alert)).size, all.length, 'alert names are unique');
    for (const rule of all) {
      assert.match(rule.alert, /^Arkiv[A-Z][A-Za-z]+$/);
      assert.ok(['page', 'warning', 'info'].includes(rule.labels?.severity ?? ''), `${rule.alert} has a severity`);
      assert.ok(rule.annotations?.summary && rule.annotations?.description, `${rule.alert} has a summary and a description`);
      assert.ok(rule.for === undefined || /^\d+[smh]$/.test(rule.for), `${rule.alert}: for`);
      assert.ok(operations.includes(`\`${rule.alert}\``), `${rule.alert} is explained in docs/operations.md`);
      for (const metric of metricsIn(rule.expr)) {
        if (dialect === 'sqlite' && onlyOnPostgres.has(metric)) continue;
        assert.ok(exported.has(metric), `${rule.alert} reads ${metric}, which /metrics exports`);
      }
    }
    for (const expr of dashboardExprs()) {
      for (const metric of metricsIn(expr)) {
        if (dialect === 'sqlite' && onlyOnPostgres.has(metric)) continue;
        assert.ok(exported.has(metric), `the dashboard reads ${metric}, which /metrics exports`);
      }
    }
  });

  const tool = promtool();
  it('promtool accepts the rules and their unit tests pass', { skip: tool ? false : 'promtool is not installed (Debian: apt-get install prometheus)' }, () => {
    execFileSync(tool!, ['check', 'rules', RULES], { stdio: 'pipe' });
    execFileSync(tool!, ['test', 'rules', RULE_TESTS], { stdio: 'pipe', cwd: MONITORING });
  });
});
