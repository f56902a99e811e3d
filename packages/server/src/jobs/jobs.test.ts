import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { backoffMs, claimJobs, enqueueJob, findJob } from './job-queue.js';
import { JobWorker, PermanentJobError } from './job-worker.js';

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const dialect of testDialects) {
  describe(`job queue (${dialect})`, () => {
    let database: TestDatabase;
    let ctx: AppContext;
    let clock = 1_700_000_000_000;

    before(async () => {
      database = await createTestDatabase(dialect);
      const config = loadConfig({ ARKIV_DATA_DIR: database.dataDir, ARKIV_SECRET_KEY: 'x'.repeat(32), ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}) });
      ctx = await createContext(config, { log: pino({ level: 'silent' }) });
      ctx.now = () => clock;
    });
    after(async () => {
      await ctx.database.close();
      await database.drop();
    });

    it('gives each due job to one claimer only, and retakes a job whose lease expired', async () => {
      const ids = await Promise.all([1, 2, 3, 4, 5, 6].map(() => enqueueJob(ctx.db, { kind: 'claim-test', payload: {} }, clock)));
      const claims = await Promise.all([1, 2, 3].map((n) => claimJobs(ctx.db, { workerId: `w${n}`, limit: 4, now: clock, leaseMs: 1000, kinds: ['claim-test'] })));
      const claimedIds = claims.flat().map((j) => j.id);
      assert.equal(claimedIds.length, 6);
      assert.deepEqual(new Set(claimedIds), new Set(ids));
      assert.equal((await claimJobs(ctx.db, { workerId: 'w4', limit: 10, now: clock + 999, leaseMs: 1000, kinds: ['claim-test'] })).length, 0);
      const retaken = await claimJobs(ctx.db, { workerId: 'w4', limit: 10, now: clock + 1001, leaseMs: 1000, kinds: ['claim-test'] });
      assert.equal(retaken.length, 6);
      assert.ok(retaken.every((j) => j.attempts === 2 && j.locked_by === 'w4'));
    });

    it('runs a job, retries a failing one after its back-off, and fails a permanent error at once', async () => {
      const worker = new JobWorker(ctx, { pollIntervalMs: 20 });
      let flakyCalls = 0;
      const seen: number[] = [];
      worker.handle('ok', async () => {});
      worker.handle('flaky', async (run) => {
        flakyCalls++;
        seen.push(run.attempt);
        if (run.attempt === 1) throw new Error('upstream 500');
      });
      worker.handle('broken', async () => {
        throw new PermanentJobError('bad credentials');
      });
      worker.start();
      try {
        const ok = await enqueueJob(ctx.db, { kind: 'ok', payload: { a: 1 } }, clock);
        const flaky = await enqueueJob(ctx.db, { kind: 'flaky', payload: null }, clock);
        const broken = await enqueueJob(ctx.db, { kind: 'broken', payload: null }, clock);
        await until(async () => (await findJob(ctx.db, ok))?.status === 'succeeded', 'ok job');
        await until(async () => (await findJob(ctx.db, broken))?.status === 'failed', 'broken job');
        await until(async () => (await findJob(ctx.db, flaky))?.status === 'queued' && flakyCalls === 1, 'flaky job to be rescheduled');
        const waiting = (await findJob(ctx.db, flaky))!;
        assert.equal(waiting.run_at, clock + backoffMs(1));
        assert.equal(waiting.last_error, 'upstream 500');
        assert.equal((await findJob(ctx.db, broken))!.attempts, 1);
        // Not yet due: nothing happens until the clock passes the back-off.
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(flakyCalls, 1);
        clock += backoffMs(1);
        await until(async () => (await findJob(ctx.db, flaky))?.status === 'succeeded', 'flaky job retry');
        assert.deepEqual(seen, [1, 2]);
      } finally {
        await worker.stop();
      }
    });

    it('marks a job failed after its last attempt', async () => {
      const worker = new JobWorker(ctx, { pollIntervalMs: 20 });
      worker.handle('always-fails', async () => {
        throw new Error('still down');
      });
      worker.start();
      try {
        const id = await enqueueJob(ctx.db, { kind: 'always-fails', payload: null, maxAttempts: 2 }, clock);
        await until(async () => (await findJob(ctx.db, id))?.status === 'queued' && (await findJob(ctx.db, id))?.attempts === 1, 'first attempt');
        clock += backoffMs(1);
        await until(async () => (await findJob(ctx.db, id))?.status === 'failed', 'final failure');
        assert.equal((await findJob(ctx.db, id))!.attempts, 2);
      } finally {
        await worker.stop();
      }
    });

    it('back-off doubles from 30 s and stops growing at an hour', () => {
      assert.deepEqual([1, 2, 3, 4].map(backoffMs), [30_000, 60_000, 120_000, 240_000]);
      assert.equal(backoffMs(20), 3_600_000);
    });
  });
}
