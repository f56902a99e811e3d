#!/usr/bin/env node
// `npm test`: type-check, then the whole suite on SQLite and PostgreSQL.
// PostgreSQL is mandatory in CI (CI=true): a missing server fails the run. On a laptop without it,
// the SQLite suite runs and the skip is announced at the start and at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const postgresUrl = process.env.ARKIV_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function canConnect(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 5432), timeout: 2000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

function findTests(dir, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, found);
    else if (/\.test\.tsx?$/.test(entry.name)) found.push(path.relative(root, full));
  }
  return found;
}

console.log('# type-check');
// Each package's tsconfig.json checks its sources and tests without emitting; the build
// (tsconfig.build.json) compiles only what ships into dist/.
for (const pkg of ['packages/client', 'packages/server']) if (run('npx', ['tsc', '-p', pkg]) !== 0) process.exit(1);
if (fs.existsSync(path.join(root, 'packages/web/tsconfig.json')) && run('npx', ['tsc', '-p', 'packages/web', '--noEmit']) !== 0) process.exit(1);
// Benchmarks are not run by the suite, but they must keep compiling against the code they measure.
for (const bench of fs.existsSync(path.join(root, 'bench')) ? fs.readdirSync(path.join(root, 'bench')) : []) {
  const config = path.join('bench', bench, 'tsconfig.json');
  if (fs.existsSync(path.join(root, config)) && run('npx', ['tsc', '-p', config, '--noEmit']) !== 0) process.exit(1);
}

const dialects = ['sqlite'];
let skipNote = '';
if (process.env.ARKIV_TEST_DIALECTS) {
  dialects.splice(0, dialects.length, ...process.env.ARKIV_TEST_DIALECTS.split(','));
} else if (await canConnect(postgresUrl)) {
  dialects.push('postgres');
} else if (inCi) {
  console.error(`PostgreSQL is required in CI but ${postgresUrl} does not answer.`);
  process.exit(1);
} else {
  skipNote = `NOTE: PostgreSQL suite SKIPPED: nothing answers at ${postgresUrl} (set ARKIV_TEST_POSTGRES_URL). Only SQLite was tested.`;
  console.log(skipNote);
}

const files = process.argv.slice(2).length ? process.argv.slice(2) : findTests(path.join(root, 'packages'));
console.log(`# running ${files.length} test files on ${dialects.join(' and ')}`);
const status = run(
  process.execPath,
  ['--conditions=arkiv-source', '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { ARKIV_TEST_DIALECTS: dialects.join(',') },
);
if (skipNote) console.log(skipNote);
process.exit(status);
