import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './openapi-document.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Operation {
  operationId?: string;
}

function operations(document: Record<string, unknown>): Array<{ method: string; path: string; operation: Operation }> {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([route, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ method, path: route, operation })),
  );
}

describe('OpenAPI document (/openapi.json)', () => {
  let document: Record<string, unknown>;
  before(async () => {
    document = await buildOpenApiDocument();
  });

  it('passes redocly lint with the recommended rules: no error, no warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-lint-'));
    try {
      const file = path.join(dir, 'openapi.json');
      fs.writeFileSync(file, JSON.stringify(document));
      const lint = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--config', path.join(repoRoot, 'redocly.yaml'), '--format=json'],
        // Linting is local: no telemetry, no update check.
        { encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, timeout: 120_000 },
      );
      const json = lint.stdout.slice(lint.stdout.indexOf('{'), lint.stdout.lastIndexOf('}') + 1);
      assert.ok(json, `redocly printed no report: ${lint.stderr}`);
      const report = JSON.parse(json) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> };
      const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      assert.deepEqual(problems, []);
      assert.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 });
      assert.equal(lint.status, 0, lint.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives every operation a unique camelCase operationId (generated clients name methods after it)', () => {
    const all = operations(document);
    assert.ok(all.length >= 40, `found ${all.length} operations`);
    const missing = all.filter(({ operation }) => !operation.operationId).map(({ method, path }) => `${method} ${path}`);
    assert.deepEqual(missing, []);
    const notCamel = all.map(({ operation }) => operation.operationId!).filter((id) => !/^[a-z][a-zA-Z0-9]*$/.test(id));
    assert.deepEqual(notCamel, []);
    const seen = new Map<string, string>();
    for (const { method, path, operation } of all) {
      const other = seen.get(operation.operationId!);
      assert.equal(other, undefined, `${method} ${path} and ${other} share ${operation.operationId}`);
      seen.set(operation.operationId!, `${method} ${path}`);
    }
  });

  it('names the seed read API as consumers expect', () => {
    const byRoute = new Map(operations(document).map(({ method, path, operation }) => [`${method} ${path}`, operation.operationId]));
    assert.equal(byRoute.get('get /security/report/list'), 'listReports');
    assert.equal(byRoute.get('get /security/report/files'), 'downloadReports');
    assert.equal(byRoute.get('post /security/report'), 'uploadReport');
  });
});
