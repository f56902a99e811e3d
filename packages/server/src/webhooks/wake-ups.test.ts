import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { enqueueJob, findJob } from '../jobs/job-queue.js';
import { JobWorker } from '../jobs/job-worker.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { createWebhook, eventually, startReceiver, uploadReport, type Receiver } from './test-support.js';

// Polls set to an hour: anything that happens within the test's seconds was woken, not polled.
const AN_HOUR = String(3_600_000);

for (const dialect of testDialects) {
  describe(`queue wake-ups (${dialect})`, () => {
    let server: TestServer;
    let receiver: Receiver;

    before(async () => {
      server = await startTestServer(dialect, { ARKIV_WEBHOOK_POLL_MS: AN_HOUR, ARKIV_JOB_POLL_MS: AN_HOUR });
      receiver = await startReceiver();
      await createWebhook(server, { url: receiver.url });
    });
    after(async () => {
      await server.stop();
      await receiver.close();
    });

    it('a committed upload wakes the dispatcher long before its poll', async () => {
      const started = performance.now();
      await uploadReport(server, { projectName: 'Woken' });
      await receiver.waitFor((r) => r.length >= 1);
      console.log(`# upload to delivery: ${(performance.now() - started).toFixed(1)} ms (poll: 1 h)`);
    });

    it('a job queued in a transaction wakes the job worker when the transaction commits', async () => {
      const ran: string[] = [];
      const worker = new JobWorker(server.ctx, { pollIntervalMs: 3_600_000 }).handle('wake-test', async (run) => void ran.push(run.id));
      worker.start();
      try {
        // Let the worker's first look (which finds nothing) pass, so the job can only be found by a wake-up.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const id = await server.ctx.db.transaction().execute(async (trx) => {
          const queued = await enqueueJob(trx, { kind: 'wake-test', payload: null }, Date.now());
          await new Promise((resolve) => setTimeout(resolve, 100));
          assert.deepEqual(ran, [], 'not before the commit');
          return queued;
        });
        await eventually(async () => ((await findJob(server.ctx.db, id))?.status === 'succeeded' ? true : undefined), 15_000, 'job run');
        assert.deepEqual(ran, [id]);
      } finally {
        await worker.stop();
      }
    });

    it('a job whose wake-up never came is found by the poll', async () => {
      const ran: string[] = [];
      const worker = new JobWorker(server.ctx, { pollIntervalMs: 100 }).handle('poll-test', async (run) => void ran.push(run.id));
      worker.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        // Inserted behind the queue's back: no notification at all.
        const id = crypto.randomUUID();
        const now = Date.now();
        await server.ctx.db.insertInto('jobs').values({
          id, kind: 'poll-test', org_id: null, payload: 'null', status: 'queued', attempts: 0, max_attempts: 1, run_at: now,
          locked_until: null, locked_by: null, last_error: null, created_at: now, updated_at: now,
        }).execute();
        await eventually(() => (ran.includes(id) ? true : undefined), 15_000, 'polled job');
      } finally {
        await worker.stop();
      }
    });

    if (dialect === 'postgres') {
      it('delivers after its LISTEN connection was terminated (reconnect), still without waiting for the poll', async () => {
        const listeners = () =>
          server.ctx.db
            .selectFrom('pg_stat_activity' as never)
            .select('pid' as never)
            .where('datname' as never, '=', server.ctx.db.fn('current_database' as never) as never)
            .where('application_name' as never, '=', 'arkiv-listener' as never)
            .execute() as Promise<{ pid: number }[]>;
        const [before] = await listeners();
        assert.ok(before, 'the process listens');
        const terminated = await server.ctx.database.pool!.query('select pg_terminate_backend($1) as ok', [before.pid]);
        assert.equal(terminated.rows[0].ok, true);
        const count = receiver.received.length;
        await uploadReport(server, { projectName: 'After the LISTEN connection died' });
        await receiver.waitFor((r) => r.length > count);
        const [now] = await eventually(async () => {
          const rows = await listeners();
          return rows.length === 1 && rows[0]!.pid !== before.pid ? rows : undefined;
        }, 15_000, 'a new LISTEN connection');
        assert.notEqual(now!.pid, before.pid);
        // And the new connection carries the next wake-up.
        await uploadReport(server, { projectName: 'On the new connection' });
        await receiver.waitFor((r) => r.length > count + 1);
      });
    }
  });
}
