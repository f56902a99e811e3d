import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { TestServer } from '../test/test-server.js';
import { htmlBytes, pdfBytes, sampleFields, type UploadFields } from '../test/fixtures.js';

/** One result of a hand-made SARIF log, in the style Semgrep and CodeQL write (tags carry the CWE). */
export interface ResultSpec {
  rule: string;
  file?: string;
  line?: number;
  message?: string;
  /** partialFingerprints.primaryLocationLineHash, when given. */
  hash?: string;
  cwe?: number[];
  owasp?: string[];
  level?: 'error' | 'warning' | 'note' | 'none';
  suppressed?: boolean;
}

/** A SARIF 2.1.0 log with one rule per distinct rule id, tagged "external/cwe/cwe-N" and "OWASP-A03:2021 - …". */
export function sarifLog(results: readonly ResultSpec[], toolName = 'semgrep'): Record<string, unknown> {
  const rules = [...new Map(results.map((r) => [r.rule, r])).values()].map((r) => ({
    id: r.rule,
    name: `${r.rule} rule`,
    shortDescription: { text: `About ${r.rule}` },
    properties: { tags: [...(r.cwe ?? []).map((n) => `CWE-${n}: weakness ${n}`), ...(r.owasp ?? []).map((id) => `OWASP-${id}:2021 - category`), 'security'] },
  }));
  return {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: toolName, rules } },
      invocations: [{ executionSuccessful: true, startTimeUtc: '2026-01-02T03:04:05Z' }],
      results: results.map((r) => ({
        ruleId: r.rule,
        level: r.level ?? 'error',
        message: { text: r.message ?? `${r.rule} found` },
        ...(r.file ? { locations: [{ physicalLocation: { artifactLocation: { uri: r.file }, ...(r.line !== undefined ? { region: { startLine: r.line } } : {}) } }] } : {}),
        ...(r.hash ? { partialFingerprints: { primaryLocationLineHash: r.hash } } : {}),
        ...(r.suppressed ? { suppressions: [{ kind: 'inSource' }] } : {}),
      })),
    }],
  };
}

export type Sent = { status: number; body: Record<string, any> };

/** POST /security/report with a sarif part; html and pdf only when `withFiles`. */
export async function uploadSarif(server: TestServer, sarif: Buffer | string | object, fields: Partial<UploadFields> & Record<string, unknown> = {}, withFiles = false): Promise<Sent> {
  const form = new FormData();
  const all = withFiles ? sampleFields(fields) : { projectName: 'Test product', projectVersion: '1.0.0', ...fields };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) form.append(name, String(value));
  if (withFiles) {
    form.append('html', new Blob([htmlBytes()], { type: 'text/html' }), 'report.html');
    form.append('pdf', new Blob([pdfBytes()], { type: 'application/pdf' }), 'report.pdf');
  }
  const bytes = typeof sarif === 'string' || Buffer.isBuffer(sarif) ? sarif : JSON.stringify(sarif);
  form.append('sarif', new Blob([bytes], { type: 'application/sarif+json' }), 'results.sarif');
  const response = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: form });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** GET /security/report/{id}/sarif, parsed. */
export async function exportedSarif(server: TestServer, reportId: string): Promise<{ status: number; type: string; log: any }> {
  const response = await fetch(`${server.url}/security/report/${reportId}/sarif?org=${server.orgId}`);
  return { status: response.status, type: response.headers.get('content-type') ?? '', log: await response.json() };
}

/** GET on an org route with the read token. */
export async function readApi(server: TestServer, pathAndQuery: string): Promise<Sent> {
  const response = await fetch(`${server.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${server.tokens.read}` } });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/**
 * A SARIF log made by a real analyser: ESLint lints a small file with security rules
 * (no-eval, no-new-func) and @microsoft/eslint-formatter-sarif writes the log.
 */
export async function eslintSarif(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-eslint-'));
  try {
    fs.writeFileSync(path.join(dir, 'app.js'), 'export function run(input) {\n  eval(input);\n  return new Function(input);\n}\n');
    const { ESLint } = await import('eslint');
    const formatter = createRequire(import.meta.url)('@microsoft/eslint-formatter-sarif') as (results: unknown, data: unknown) => string;
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: { rules: { 'no-eval': 'error', 'no-new-func': 'warn' } } });
    const results = await eslint.lintFiles(['app.js']);
    return formatter(results, { cwd: dir, rulesMeta: eslint.getRulesMetaForResults(results) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** How many finding rows (and CWE rows) a report has in the database. */
export async function storedFindingRows(server: TestServer, reportId?: string): Promise<{ findings: number; cwes: number }> {
  const count = async (table: 'report_findings' | 'finding_cwes') => {
    let query = server.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (reportId) query = query.where('report_id', '=', reportId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  return { findings: await count('report_findings'), cwes: await count('finding_cwes') };
}
