import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { testDialects } from '../test/test-database.js';
import { addUser, json, postLogin } from './account-test-helpers.js';
import { THROTTLE } from './login-throttle.js';

for (const dialect of testDialects) {
  describe(`login throttling (${dialect})`, () => {
    let server: TestServer;
    // A trusted proxy lets each test speak from its own client address.
    before(async () => {
      server = await startTestServer(dialect, { ARKIV_TRUST_PROXY: 'loopback' });
    });
    after(() => server.stop());
    let addresses = 0;
    const newAddress = () => `198.51.100.${++addresses}`;
    const from = (ip: string) => ({ 'x-forwarded-for': ip });

    it('locks an account after repeated failures, even against the right password, then lets it in again', async () => {
      const user = await addUser(server, 'member');
      const realNow = server.ctx.now;
      let now = realNow();
      server.ctx.now = () => now;
      try {
        for (let i = 0; i < THROTTLE.account.limit; i += 1) {
          assert.equal((await postLogin(server, user.email, 'wrong password', from(newAddress()))).status, 401);
        }
        const locked = await postLogin(server, user.email, user.password, from(newAddress()));
        assert.equal(locked.status, 429);
        assert.equal((await json(locked)).code, 'too_many_attempts');
        assert.equal(Number(locked.headers.get('retry-after')), THROTTLE.account.lockMs / 1000);
        now += THROTTLE.account.lockMs / 2;
        assert.equal(Number((await postLogin(server, user.email, user.password, from(newAddress()))).headers.get('retry-after')), THROTTLE.account.lockMs / 2000);
        now += THROTTLE.account.lockMs / 2;
        assert.equal((await postLogin(server, user.email, user.password, from(newAddress()))).status, 200);
      } finally {
        server.ctx.now = realNow;
      }
    });

    it('locks an unknown email the same way, so lockouts do not reveal which accounts exist', async () => {
      for (let i = 0; i < THROTTLE.account.limit; i += 1) {
        assert.equal((await postLogin(server, 'ghost@example.test', 'guess', from(newAddress()))).status, 401);
      }
      assert.equal((await postLogin(server, 'ghost@example.test', 'guess', from(newAddress()))).status, 429);
    });

    it('locks a client address that tries many accounts, without locking those accounts elsewhere', async () => {
      const user = await addUser(server, 'member');
      const attacker = newAddress();
      for (let i = 0; i < THROTTLE.address.limit; i += 1) {
        assert.equal((await postLogin(server, `spray${i}@example.test`, 'Winter2025!', from(attacker))).status, 401);
      }
      const refused = await postLogin(server, user.email, user.password, from(attacker));
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.equal((await postLogin(server, user.email, user.password, from(newAddress()))).status, 200);
    });

    it('a success clears the account count: failures must be consecutive to lock', async () => {
      const user = await addUser(server, 'member');
      for (let round = 0; round < 2; round += 1) {
        for (let i = 0; i < THROTTLE.account.limit - 1; i += 1) {
          assert.equal((await postLogin(server, user.email, 'wrong password', from(newAddress()))).status, 401);
        }
        assert.equal((await postLogin(server, user.email, user.password, from(newAddress()))).status, 200);
      }
    });

    it('takes about as long for an unknown email as for a wrong password', async () => {
      const user = await addUser(server, 'member');
      const time = async (email: string) => {
        const started = performance.now();
        assert.equal((await postLogin(server, email, 'wrong password', from(newAddress()))).status, 401);
        return performance.now() - started;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < THROTTLE.account.limit - 1; i += 1) {
        known.push(await time(user.email));
        unknown.push(await time(`unknown${i}@example.test`));
      }
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      const ratio = median(unknown) / median(known);
      console.log(`# login timing ${dialect}: wrong password median ${median(known).toFixed(0)} ms, unknown email ${median(unknown).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`);
      // Generous bounds for a busy CI machine: skipping the hash for unknown emails would give ~0.05.
      assert.ok(ratio > 0.5 && ratio < 2, `ratio ${ratio}`);
    });
  });
}
