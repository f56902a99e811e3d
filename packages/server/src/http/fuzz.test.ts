import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { fuzzOpenApi } from '../test/openapi-fuzz.js';
import { addUser, login, type LoggedIn } from '../accounts/account-test-helpers.js';

/** Requests per engine in CI; `npm run bench -- fuzz --runs N` runs longer. */
const RUNS = Number(process.env.ARKIV_FUZZ_RUNS ?? 2000);

for (const dialect of testDialects) {
  describe(`property-based fuzz over /openapi.json (${dialect})`, () => {
    let server: TestServer;
    let owner: LoggedIn;
    before(async () => {
      // No read rate limit: the fuzzer is one client sending thousands of requests.
      server = await startTestServer(dialect, { ARKIV_READ_RATE_LIMIT: '0' });
      owner = await login(server, await addUser(server, 'owner'));
    });
    after(async () => server.stop());

    it(`answers ${RUNS} random requests with no 5xx, catalogued problems only, and refusals that change nothing`, async () => {
      const started = Date.now();
      const result = await fuzzOpenApi(server, RUNS, undefined, owner);
      console.log(`# fuzz ${dialect}: ${result.sent} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(result.statuses)}`);
      assert.deepEqual(result.findings.slice(0, 10), []);
    });
  });
}
