/**
 * SARIF intake memory and time (issue 14): peak RSS of reading and checking a SARIF log of 10 000
 * and 100 000 results (about 5 and 50 MiB) against the OASIS schema, each in a fresh child
 * process, against a same-run baseline child that loads the same modules and compiles the schema
 * but reads nothing. Flat memory means the peak grows with the findings kept (compact records),
 * not with the size of the JSON text.
 *
 *   npm run bench -- sarif [--results 10000,100000]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values: args } = parseArgs({ options: { results: { type: 'string', default: '10000,100000' }, child: { type: 'string' } } });

if (args.child !== undefined) {
  const { sarifValidators } = await import('../packages/server/src/findings/sarif/sarif-schema.js');
  const { readSarif } = await import('../packages/server/src/findings/sarif/read-sarif.js');
  sarifValidators();
  const started = performance.now();
  const read = args.child === '' ? { findings: [] } : await readSarif(args.child);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ findings: read.findings.length, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-sarif-bench-'));
  const self = fileURLToPath(import.meta.url);
  const run = (file: string) => {
    const child = spawnSync(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', self, '--child', file], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    return JSON.parse(child.stdout.trim().split('\n').pop()!) as { findings: number; seconds: number; maxRssMiB: number };
  };
  try {
    const baseline = run('');
    console.log('| results | file MiB | findings | read + check s | peak RSS MiB | baseline peak RSS MiB |');
    console.log('|---|---|---|---|---|---|');
    for (const count of args.results.split(',').map(Number)) {
      const file = path.join(dir, `${count}.sarif`);
      writeLog(file, count);
      const measured = run(file);
      console.log(`| ${count} | ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} | ${measured.findings} | ${measured.seconds.toFixed(1)} | ${measured.maxRssMiB.toFixed(0)} | ${baseline.maxRssMiB.toFixed(0)} |`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A Semgrep-like log: 200 rules tagged with CWEs, results with partialFingerprints and ~400-byte messages. */
function writeLog(file: string, count: number): void {
  const out = fs.openSync(file, 'w');
  const rules = Array.from({ length: 200 }, (_, i) => ({ id: `rule-${i}`, name: `Rule ${i}`, properties: { tags: [`external/cwe/cwe-${[79, 89, 22, 78, 918][i % 5]}`, 'security'] } }));
  fs.writeSync(out, `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bench","rules":${JSON.stringify(rules)}}},"results":[`);
  const message = 'User-controlled data flows into a sensitive sink without sanitisation. '.repeat(5);
  for (let i = 0; i < count; i++) {
    const result = {
      ruleId: `rule-${i % 200}`, ruleIndex: i % 200, level: 'error', message: { text: `${message}#${i}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/module${i % 300}/File${i}.py` }, region: { startLine: (i % 900) + 1, startColumn: 5 } } }],
      partialFingerprints: { primaryLocationLineHash: `${i.toString(16)}:1` },
    };
    fs.writeSync(out, (i === 0 ? '' : ',') + JSON.stringify(result));
  }
  fs.writeSync(out, ']}]}');
  fs.closeSync(out);
}
