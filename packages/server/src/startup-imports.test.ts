import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startServeProcess, type ServeProcess } from './test/serve-process.js';
import { createTestDatabase, testDialects } from './test/test-database.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const recordImports = path.join(here, 'test/record-imports.mjs');

/** Packages an API replica never needs at start: each is loaded at its first use, if ever. */
const LAZY = ['pdfkit', 'fontkit', '@aws-sdk', 'nodemailer', 'undici', 'openid-client', 'oauth4webapi', 'jose'];
const OTHER_DRIVER = { sqlite: 'pg', postgres: 'better-sqlite3' } as const;
const OWN_DRIVER = { sqlite: 'better-sqlite3', postgres: 'pg' } as const;

const loads = (modules: string[], name: string) => modules.some((module) => module.includes(`/node_modules/${name}/`));

/** The modules `arkiv serve --no-worker` has loaded once /healthz answers. */
async function modulesLoadedAtStart(databaseUrl: string | undefined): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-imports-'));
  const logFile = path.join(dir, 'imports.txt');
  let serve: ServeProcess | undefined;
  try {
    serve = await startServeProcess(['serve', '--no-worker'], {
      ...process.env,
      ARKIV_HOST: '127.0.0.1',
      ARKIV_PORT: '0',
      ARKIV_DATA_DIR: path.join(dir, 'data'),
      ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
      ARKIV_LOG_LEVEL: 'warn',
      ARKIV_IMPORT_LOG: logFile,
      // SSO configured (the provider is only contacted at the first SSO sign-in): its client still waits until then.
      ARKIV_OIDC_ISSUER: 'http://127.0.0.1:9',
      ARKIV_OIDC_CLIENT_ID: 'arkiv',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }, ['--import', recordImports]);
    const { child, url } = serve;
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    child.kill('SIGUSR2');
    for (let i = 0; i < 200 && !fs.existsSync(logFile); i += 1) await sleep(25);
    return fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  } finally {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGTERM');
    await serve?.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

for (const dialect of testDialects) {
  describe(`modules loaded by serve --no-worker at start (${dialect})`, () => {
    it('leaves out PDF rendering, S3, mail, the outgoing HTTP client, the OpenID Connect client and the other engine\'s driver', async () => {
      const database = await createTestDatabase(dialect);
      try {
        const modules = await modulesLoadedAtStart(database.databaseUrl);
        // The list is real: the web framework and this engine's driver are in it.
        assert.ok(loads(modules, 'fastify'), `fastify among ${modules.length} modules`);
        assert.ok(loads(modules, OWN_DRIVER[dialect]), `${OWN_DRIVER[dialect]} loaded`);
        const loaded = [...LAZY, OTHER_DRIVER[dialect]].filter((name) => loads(modules, name));
        assert.deepEqual(loaded, [], `loaded at start: ${loaded.join(', ')}`);
      } finally {
        await database.drop();
      }
    });
  });
}
