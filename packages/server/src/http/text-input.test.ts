import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';

for (const dialect of testDialects) {
  describe(`the text-input rule (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
    });
    after(async () => server.stop());

    const send = (method: string, path: string, body?: unknown, token = server.tokens.admin) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const refused = async (response: Response, field: string) => {
      assert.equal(response.status, 400);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = (await response.json()) as { code: string; message: string };
      assert.equal(problem.code, 'invalid_parameter');
      assert.match(problem.message, new RegExp(`${field}.*control characters`), problem.message);
    };

    it('refuses U+0000 and other C0 controls with a 400 naming the field, the same on both engines, changing nothing', async () => {
      const tokenNames = async () => JSON.stringify(((await (await send('GET', `/api/orgs/${server.orgId}/tokens`)).json()) as { tokens: Array<{ name: string }> }).tokens.map((t) => t.name));
      const tokensBefore = await tokenNames();
      for (const bad of ['a\u0000b', 'a\u001bb', 'a\u007fb']) {
        await refused(await send('POST', `/api/orgs/${server.orgId}/tokens`, { name: bad, scopes: ['read'] }), 'name');
        await refused(await send('PATCH', `/api/orgs/${server.orgId}`, { name: bad }), 'name');
        await refused(await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: bad, password: 'x' }) }), 'email');
        await refused(await send('GET', `/security/report/list?org=${server.orgId}&minver=0&projectName=${encodeURIComponent(bad)}`, undefined, server.tokens.read), 'projectName');
      }
      assert.equal(await tokenNames(), tokensBefore);
      // Tab, line feed and carriage return stay allowed: a name with a tab is stored.
      assert.equal((await send('POST', `/api/orgs/${server.orgId}/tokens`, { name: 'a\tb', scopes: ['read'] })).status, 201);
    });
  });
}
