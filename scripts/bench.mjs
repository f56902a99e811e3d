#!/usr/bin/env node
// `npm run bench [-- <name> [flags]]`: runs every bench/*-bench.ts (or only those whose name
// contains <name>), one after another, with the TypeScript sources of the workspace packages.
// Flags after the name are passed to each benchmark.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const [filter, ...flags] = process.argv.slice(2);
const nameFilter = filter && !filter.startsWith('--') ? filter : '';
const passed = nameFilter ? flags : process.argv.slice(2);
const benches = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((name) => name.endsWith('-bench.ts') && name.includes(nameFilter))
  .sort();
if (benches.length === 0) {
  console.error(`no bench/*-bench.ts matches "${nameFilter}"`);
  process.exit(1);
}
for (const bench of benches) {
  console.log(`# bench/${bench}`);
  const { status } = spawnSync(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', path.join('bench', bench), ...passed], {
    cwd: root,
    stdio: 'inherit',
  });
  if (status !== 0) process.exit(status ?? 1);
}
