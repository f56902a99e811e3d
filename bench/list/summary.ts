import type { Dialect } from './bench-database.js';
import type { LoadFigures, LoadOptions } from './load.js';

export interface CaseResult {
  dialect: Dialect;
  reports: number;
  seedSeconds: number;
  bodyBytes: number;
  arkiv: LoadFigures;
  bare: LoadFigures;
}

/** Targets of issue 2. */
export const TARGETS = { throughputRatio: 0.6, p99Ms: 10, scaleSlowdown: 1.3 };

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
const fixed = (n: number, digits = 0) => n.toFixed(digits);

/**
 * Prints one Markdown table row per case (pasteable into docs/benchmarks.md) and, for each dialect
 * measured at two sizes, how much slower the largest is than the smallest (req/s and p99).
 */
export function printSummary(results: CaseResult[], _load: LoadOptions): void {
  console.log('| engine | reports | seed s | Arkiv req/s | p50 ms | p99 ms | bare req/s | ratio | CPU µs/req Arkiv / bare | targets |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const ratio = r.arkiv.requestsPerSecond / r.bare.requestsPerSecond;
    const targets = `ratio ${mark(ratio >= TARGETS.throughputRatio)}, p99 ${mark(r.arkiv.p99Ms <= TARGETS.p99Ms)}`;
    console.log(
      `| ${r.dialect} | ${r.reports.toLocaleString('en')} | ${fixed(r.seedSeconds, 1)} | ${fixed(r.arkiv.requestsPerSecond)} | ${r.arkiv.p50Ms} | ${r.arkiv.p99Ms} | ${fixed(r.bare.requestsPerSecond)} | ${fixed(ratio, 2)} | ${fixed(r.arkiv.cpuMicrosPerRequest)} / ${fixed(r.bare.cpuMicrosPerRequest)} | ${targets} |`,
    );
  }
  for (const dialect of new Set(results.map((r) => r.dialect))) {
    const cases = results.filter((r) => r.dialect === dialect).sort((a, b) => a.reports - b.reports);
    if (cases.length < 2) continue;
    const small = cases[0]!;
    const large = cases[cases.length - 1]!;
    const slowdown = small.arkiv.requestsPerSecond / large.arkiv.requestsPerSecond;
    const p99Growth = large.arkiv.p99Ms / Math.max(small.arkiv.p99Ms, 1);
    console.log(
      `${dialect}: ${large.reports.toLocaleString('en')} vs ${small.reports.toLocaleString('en')} reports: req/s ${fixed(slowdown, 2)}× slower, p99 ${fixed(p99Growth, 2)}× (target ≤ ${TARGETS.scaleSlowdown}×: ${mark(slowdown <= TARGETS.scaleSlowdown)})`,
    );
  }
}
