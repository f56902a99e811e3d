/**
 * Footprint benchmark (issue 12): resident memory of the built server's processes, idle after
 * start (VmRSS) and at the start-up peak (VmHWM, before any request but /healthz), beside a bare
 * Fastify process measured in the same run. Each process starts on a fresh database, is read from
 * /proc/<pid>/status once it answers (or, for `worker`, once it says it runs) and has settled, then
 * is stopped. The median over rounds is printed.
 *
 *   npm run build && npm run bench -- footprint [--dialects sqlite,postgres] [--rounds 3] [--settle 2]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
    settle: { type: 'string', default: '2' },
  },
});

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const mainScript = path.join(root, 'packages/server/dist/main.js');
const bareScript = path.join(root, 'bench/footprint/bare-fastify.mjs');
if (!fs.existsSync(mainScript)) throw new Error('packages/server/dist is missing: run `npm run build` first');

interface Case {
  name: string;
  script: string;
  args: string[];
  ready: RegExp;
}
const CASES: Case[] = [
  { name: 'bare Fastify', script: bareScript, args: [], ready: /listening on (\S+)/ },
  { name: 'serve', script: mainScript, args: ['serve'], ready: /Arkiv listening on (\S+)/ },
  { name: 'serve --no-worker', script: mainScript, args: ['serve', '--no-worker'], ready: /Arkiv listening on (\S+)/ },
  { name: 'worker', script: mainScript, args: ['worker'], ready: /Arkiv worker running/ },
];

const MiB = 1024;
const kib = (status: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);

async function measureOnce(dialect: Dialect, bench: Case): Promise<{ rss: number; hwm: number }> {
  const database = await createBenchDatabase(dialect, 'footprint');
  const child = spawn(process.execPath, [bench.script, ...bench.args], {
    env: { ...process.env, ...database.env, ARKIV_PORT: '0', ARKIV_SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789', ARKIV_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      child.stdout.on('data', () => {
        const found = bench.ready.exec(output);
        if (found) resolve(found);
      });
      child.on('close', (code) => reject(new Error(`${bench.name} exited with ${code}: ${output}`)));
    });
    if (match[1]) await (await fetch(`${match[1]}/healthz`)).text();
    await sleep(Number(args.settle) * 1000);
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return { rss: kib(status, 'VmRSS') / MiB, hwm: kib(status, 'VmHWM') / MiB };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await database.drop();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const dialect of args.dialects.split(',') as Dialect[]) {
  const results = new Map<string, { rss: number[]; hwm: number[] }>(CASES.map((c) => [c.name, { rss: [], hwm: [] }]));
  // Rounds interleave the cases, so a machine that gets busier affects all of them alike.
  for (let round = 0; round < Number(args.rounds); round += 1) {
    for (const bench of CASES) {
      const { rss, hwm } = await measureOnce(dialect, bench);
      results.get(bench.name)!.rss.push(rss);
      results.get(bench.name)!.hwm.push(hwm);
    }
  }
  const bare = results.get('bare Fastify')!;
  console.log(`\n${dialect}: median of ${args.rounds} rounds (MiB)`);
  console.log('| process | idle RSS | × bare | start-up peak (VmHWM) | × bare |');
  console.log('|---|---|---|---|---|');
  for (const [name, { rss, hwm }] of results) {
    const ratio = (value: number, base: number) => (value / base).toFixed(2);
    console.log(`| ${name} | ${median(rss).toFixed(0)} | ${ratio(median(rss), median(bare.rss))} | ${median(hwm).toFixed(0)} | ${ratio(median(hwm), median(bare.hwm))} |`);
  }
}
