import type { Dialect } from './bench-database.js';
import type { LoadFigures } from './load.js';

export interface CaseResult {
  dialect: Dialect;
  reports: number;
  round: number;
  seedSeconds: number;
  bodyBytes: number;
  /** 1-minute load average when the measurement started: how busy the machine was. */
  loadAverage: number;
  arkiv: LoadFigures;
  bare: LoadFigures;
}

/** Targets of issue 2. */
export const TARGETS = { throughputRatio: 0.6, p99Ms: 10, scaleSlowdown: 1.3 };

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
const fixed = (n: number, digits = 0) => n.toFixed(digits);
const ratioOf = (r: CaseResult) => r.arkiv.requestsPerSecond / r.bare.requestsPerSecond;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One Markdown table row per measurement, pasteable into docs/benchmarks.md. */
export function printRows(results: CaseResult[], header = true): void {
  if (header) console.log('| engine | reports | round | load | Arkiv req/s | p50 ms | p99 ms | bare req/s | ratio | CPU µs/req Arkiv / bare |');
  if (header) console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.dialect} | ${r.reports.toLocaleString('en')} | ${r.round} | ${fixed(r.loadAverage, 1)} | ${fixed(r.arkiv.requestsPerSecond)} | ` +
        `${r.arkiv.p50Ms} | ${r.arkiv.p99Ms} | ${fixed(r.bare.requestsPerSecond)} | ${fixed(ratioOf(r), 2)} | ` +
        `${fixed(r.arkiv.cpuMicrosPerRequest)} / ${fixed(r.bare.cpuMicrosPerRequest)} |`,
    );
  }
}

/**
 * Per engine and size, the median over rounds against the targets; and for an engine measured at
 * two sizes, how much slower the largest is than the smallest. On a shared machine req/s and p99
 * swing with the load; server CPU per request barely does, so it is the steadier scaling figure.
 */
export function printSummary(results: CaseResult[]): void {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) groups.set(`${r.dialect} ${r.reports}`, [...(groups.get(`${r.dialect} ${r.reports}`) ?? []), r]);
  const medians = [...groups.values()].map((rs) => ({
    dialect: rs[0]!.dialect,
    reports: rs[0]!.reports,
    seedSeconds: rs[0]!.seedSeconds,
    bodyBytes: rs[0]!.bodyBytes,
    rps: median(rs.map((r) => r.arkiv.requestsPerSecond)),
    p99: median(rs.map((r) => r.arkiv.p99Ms)),
    ratio: median(rs.map(ratioOf)),
    cpu: median(rs.map((r) => r.arkiv.cpuMicrosPerRequest)),
  }));
  console.log('\nMedians over rounds:');
  for (const m of medians) {
    console.log(
      `${m.dialect} ${m.reports.toLocaleString('en')} reports (seeded in ${fixed(m.seedSeconds, 1)} s, body ${m.bodyBytes} bytes): ` +
        `${fixed(m.rps)} req/s, ratio ${fixed(m.ratio, 2)} (≥ ${TARGETS.throughputRatio}: ${mark(m.ratio >= TARGETS.throughputRatio)}), ` +
        `p99 ${m.p99} ms (≤ ${TARGETS.p99Ms}: ${mark(m.p99 <= TARGETS.p99Ms)}), ${fixed(m.cpu)} µs CPU per request`,
    );
  }
  for (const dialect of new Set(medians.map((m) => m.dialect))) {
    const sizes = medians.filter((m) => m.dialect === dialect).sort((a, b) => a.reports - b.reports);
    if (sizes.length < 2) continue;
    const small = sizes[0]!;
    const large = sizes[sizes.length - 1]!;
    const slowdown = small.rps / large.rps;
    console.log(
      `${dialect}: ${large.reports.toLocaleString('en')} vs ${small.reports.toLocaleString('en')} reports: ` +
        `req/s ${fixed(slowdown, 2)}× slower, p99 ${fixed(large.p99 / Math.max(small.p99, 1), 2)}×, ` +
        `CPU per request ${fixed(large.cpu / small.cpu, 2)}× ` +
        `(≤ ${TARGETS.scaleSlowdown}×: ${mark(slowdown <= TARGETS.scaleSlowdown)})`,
    );
  }
}
