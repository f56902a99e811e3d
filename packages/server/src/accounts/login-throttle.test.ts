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

    /** Runs `work` with a clock the test moves. */
    async function withClock(work: (advance: (ms: number) => void) => Promise<void>) {
      const realNow = server.ctx.now;
      let now = realNow();
      server.ctx.now = () => now;
      try {
        await work((ms) => (now += ms));
      } finally {
        server.ctx.now = realNow;
      }
    }

    it('locks one email from one address after repeated failures, the right password included, then lets it in again', async () => {
      const user = await addUser(server, 'member');
      const address = newAddress();
      await withClock(async (advance) => {
        for (let i = 0; i < THROTTLE.pair.limit; i += 1) {
          assert.equal((await postLogin(server, user.email, 'wrong password', from(address))).status, 401);
        }
        const locked = await postLogin(server, user.email, user.password, from(address));
        assert.equal(locked.status, 429);
        assert.equal((await json(locked)).code, 'too_many_attempts');
        assert.equal(Number(locked.headers.get('retry-after')), THROTTLE.pair.lockMs / 1000);
        advance(THROTTLE.pair.lockMs / 2);
        assert.equal(Number((await postLogin(server, user.email, user.password, from(address))).headers.get('retry-after')), THROTTLE.pair.lockMs / 2000);
        advance(THROTTLE.pair.lockMs / 2);
        assert.equal((await postLogin(server, user.email, user.password, from(address))).status, 200);
      });
    });

    it("never lets a stranger's failures keep the owner out: the owner signs in from an address that has not failed", async () => {
      const owner = await addUser(server, 'owner');
      const stranger = newAddress();
      for (let i = 0; i < THROTTLE.pair.limit + 2; i += 1) {
        assert.ok([401, 429].includes((await postLogin(server, owner.email, 'guess', from(stranger))).status));
      }
      assert.equal((await postLogin(server, owner.email, owner.password, from(stranger))).status, 429, 'the stranger stays locked');
      assert.equal((await postLogin(server, owner.email, owner.password, from(newAddress()))).status, 200, 'the owner gets in');
    });

    it('slows guessing spread over many addresses with a growing delay across addresses, not a lock', async () => {
      const user = await addUser(server, 'member');
      await withClock(async (advance) => {
        const guessers = Array.from({ length: THROTTLE.account.free + 3 }, newAddress);
        for (const guesser of guessers.slice(0, THROTTLE.account.free)) {
          assert.equal((await postLogin(server, user.email, 'guess', from(guesser))).status, 401);
        }
        // Each failure past the free ones doubles the wait of addresses that have failed.
        const delays: number[] = [];
        for (const guesser of guessers.slice(THROTTLE.account.free)) {
          assert.equal((await postLogin(server, user.email, 'guess', from(guesser))).status, 401);
          const refused = await postLogin(server, user.email, 'guess', from(guesser));
          assert.equal(refused.status, 429);
          delays.push(Number(refused.headers.get('retry-after')));
        }
        assert.deepEqual(delays, [1, 2, 4]);
        // An address with no failure for this email is not delayed: the right password gets in.
        assert.equal((await postLogin(server, user.email, user.password, from(newAddress()))).status, 200);
        advance(THROTTLE.account.maxDelayMs);
      });
    });

    it('locks an unknown email the same way, so lockouts do not reveal which accounts exist', async () => {
      const address = newAddress();
      for (let i = 0; i < THROTTLE.pair.limit; i += 1) {
        assert.equal((await postLogin(server, 'ghost@example.test', 'guess', from(address))).status, 401);
      }
      assert.equal((await postLogin(server, 'ghost@example.test', 'guess', from(address))).status, 429);
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

    it('a success clears the count of its email and address: failures must be consecutive to lock', async () => {
      const user = await addUser(server, 'member');
      const address = newAddress();
      for (let round = 0; round < 2; round += 1) {
        for (let i = 0; i < THROTTLE.pair.limit - 1; i += 1) {
          assert.equal((await postLogin(server, user.email, 'wrong password', from(address))).status, 401);
        }
        assert.equal((await postLogin(server, user.email, user.password, from(address))).status, 200);
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
      for (let i = 0; i < THROTTLE.pair.limit - 1; i += 1) {
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
