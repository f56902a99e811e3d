import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
// The dashboard e2e tests build packages/web/dist too; this waits for them instead of racing them.
import { ensureWebBuild } from '../../web/e2e/web-build.js';

/**
 * What a new user gets from `npm install` and `npm run build`: packages whose engines accept the
 * Node version the project promises, a linked `arkiv` command, and packages that ship only what
 * runs (no compiled test, test helper or fixture).
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKSPACES = ['packages/client', 'packages/server', 'packages/web'];
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

describe('engines', () => {
  it('every package in the lock file accepts the lowest Node version the project promises', () => {
    const promised: string = readJson('package.json').engines.node;
    const lowest = semver.minVersion(promised)!.version;
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes(`Node.js ${semver.major(lowest)}.${semver.minor(lowest)}+`), `README promises Node ${lowest}`);
    const refusing = Object.entries(readJson('package-lock.json').packages as Record<string, { version?: string; engines?: unknown }>)
      .filter(([, entry]) => {
        const range = (entry.engines as { node?: unknown } | undefined)?.node;
        return typeof range === 'string' && !semver.satisfies(lowest, range);
      })
      .map(([name, entry]) => `${name}@${entry.version} wants node ${(entry.engines as { node: string }).node}`);
    assert.deepEqual(refusing, [], `npm install on Node ${lowest} would print EBADENGINE for these`);
  });
});

describe('a built checkout', () => {
  before(() => {
    // The same compile as `npm run build`; incremental, so quick when dist is current.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b',
      'packages/client/tsconfig.build.json', 'packages/server/tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  });

  describe('the arkiv command', () => {
    const bin = path.join(ROOT, 'node_modules', '.bin', 'arkiv');
    const script = path.join(ROOT, 'packages', 'client', 'bin', 'arkiv.js');

    it('is linked by npm install to a committed script, and runs the built CLI', () => {
      assert.equal(fs.realpathSync(bin), script, 'node_modules/.bin/arkiv is linked to packages/client/bin/arkiv.js');
      const help = spawnSync(bin, ['--help'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^Usage: arkiv \[options\] \[command\]/);
      for (const command of ['upload', 'list', 'download', 'serve']) assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    });

    it('says to build first when the CLI is not built', (t) => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-bin-'));
      t.after(() => fs.rmSync(copy, { recursive: true, force: true }));
      fs.mkdirSync(path.join(copy, 'bin'));
      fs.copyFileSync(script, path.join(copy, 'bin', 'arkiv.js'));
      const run = spawnSync(process.execPath, [path.join(copy, 'bin', 'arkiv.js'), '--help'], { encoding: 'utf8' });
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^arkiv: the CLI is not built yet \(dist\/cli\/main\.js is missing\): run `npm run build` first\n$/);
    });
  });

  describe('npm pack', () => {
    const TEST_ONLY = /(^|\/)(test|e2e|fixtures?)\/|\.test\.|-test-helpers\.|-fixture\.|test-support\.|tsbuildinfo$/;
    const SHIPPED = /^(dist\/|bin\/|package\.json$|README\.md$|LICENSE$)/;

    for (const workspace of WORKSPACES) {
      it(`${workspace} lists only what ships`, async () => {
        if (workspace === 'packages/web') await ensureWebBuild();
        const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: path.join(ROOT, workspace), encoding: 'utf8' });
        const files = (JSON.parse(output) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path);
        assert.ok(files.some((file) => file.startsWith('dist/')), `${workspace}: dist is built`);
        const extra = files.filter((file) => TEST_ONLY.test(file) || !SHIPPED.test(file));
        assert.deepEqual(extra, [], `${workspace} would ship these (left from an older build? rm -rf ${workspace}/dist and npm run build)`);
      });
    }
  });
});
