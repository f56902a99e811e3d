import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from './error-handler.js';
import { createWebRoutes, DASHBOARD_CSP } from './web-routes.js';
import type { AppContext } from '../context.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';

async function appServing(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandling(app);
  app.get('/api/known', async () => ({ ok: true }));
  await app.register(createWebRoutes(distDir), { ctx: {} as AppContext });
  await app.ready();
  return app;
}

describe('dashboard hosting', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-web-'));
    app = await appServing(dir);
  });
  after(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says to run npm run build while the build is missing, then serves it without a restart', async () => {
    const missing = await app.inject({ url: '/' });
    assert.equal(missing.statusCode, 200);
    assert.match(missing.body, /npm run build/);
    assert.equal(missing.headers['content-security-policy'], DASHBOARD_CSP);

    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1.js"></script>');
    fs.writeFileSync(path.join(dir, 'assets', 'app-1.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const built = await app.inject({ url: '/' });
    assert.equal(built.statusCode, 200);
    assert.match(built.body, /id="root"/);
    assert.equal(built.headers['cache-control'], 'no-cache');
  });

  it('answers client routes with index.html and strong headers', async () => {
    // /share/{token} is the public share page: the SPA, never a 404, and its token never leaves in a Referer.
    for (const url of ['/login', '/orgs/00000000-0000-4000-8000-000000000001/settings', '/orgs/x/webhooks?tab=1', '/share/Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(response.body, /id="root"/);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
    }
  });

  it('serves hashed assets as immutable and other files revalidated', async () => {
    const asset = await app.inject({ url: '/assets/app-1.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.body, 'console.log(1)');
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.match(String(asset.headers['cache-control']), /max-age=31536000.*immutable/);
    const icon = await app.inject({ url: '/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.match(String(icon.headers['cache-control']), /max-age=0/);
  });

  it('keeps API paths and missing files as problem+json 404s', async () => {
    for (const url of ['/api/unknown', '/security/report/nope', '/assets/missing-2.js', '/docs-not-here.txt']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.match(String(response.headers['content-type']), /application\/problem\+json/);
      assert.equal(response.json().code, 'not_found');
    }
    assert.deepEqual((await app.inject({ url: '/api/known' })).json(), { ok: true });
  });

  it('never serves files outside the build', async () => {
    fs.writeFileSync(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), 'secret');
    try {
      for (const url of [`/../${path.basename(dir)}-secret.txt`, `/%2e%2e/${path.basename(dir)}-secret.txt`, '/assets/%2e%2e/%2e%2e/etc/passwd']) {
        const response = await app.inject({ url });
        assert.notEqual(response.body, 'secret', url);
        assert.doesNotMatch(response.body, /root:/, url);
      }
      assert.equal((await app.inject({ url: '/%E0%A4%A' })).statusCode, 400);
    } finally {
      fs.rmSync(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), { force: true });
    }
  });
});

for (const dialect of testDialects) {
  describe(`dashboard in the real app (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.stop());

    it('serves / as HTML and leaves the API and OpenAPI untouched', async () => {
      const page = await fetch(`${server.url}/orgs/${server.orgId}/reports`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      await page.arrayBuffer();
      const unknown = await fetch(`${server.url}/api/orgs/${server.orgId}/nothing-here`);
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as { code: string }).code, 'not_found');
      const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      assert.equal(Object.keys(openapi.paths).some((p) => p === '/*' || p === '/{*}'), false);
    });
  });
}
