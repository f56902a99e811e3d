import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type KyselyPlugin } from 'kysely';
import { watchOrganizationWrites } from '../db/change-token.js';
import type { Database } from '../db/schema.js';
import { openDatabase, type DatabaseHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { storeReports } from '../reports/report-store.js';
import { validateReportMetadata } from '../reports/report-input.js';
import { sampleFields } from '../test/fixtures.js';
import { createOrganization, updateOrganization } from './org-store.js';
import { ReadAccessCache } from './read-access-cache.js';

/** Counts the statements a Kysely instance sends: the cache's promise is "no round trip on a hit". */
function countingPlugin() {
  const counter = { queries: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      counter.queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { counter, plugin };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

for (const dialect of testDialects) {
  describe(`read access cache on ${dialect}`, () => {
    let database: TestDatabase;
    let server: DatabaseHandle;
    /** Another connection to the same database: another process, replica or the `arkiv` CLI. */
    let other: DatabaseHandle;
    before(async () => {
      database = await createTestDatabase(dialect);
      server = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      await migrateToLatest(server.db);
      other = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      // PostgreSQL: the listener connects at the first use and the cache is bypassed until it listens.
      await eventually(async () => server.changes.current(), (token) => token !== undefined, 'the change listener never listened');
    });
    after(async () => {
      await other.close();
      await server.close();
      await database.drop();
    });

    /**
     * Runs another connection's write and waits until this process heard of it: on SQLite from the
     * next event-loop turn (data_version is read once per turn; a request from outside always
     * arrives in a later turn than the commit it follows), on PostgreSQL once the commit's
     * notification arrived.
     */
    async function writeElsewhere(write: () => Promise<unknown>): Promise<void> {
      const before = server.changes.current();
      await write();
      if (dialect === 'sqlite') {
        await new Promise((resolve) => setImmediate(resolve));
        assert.notEqual(server.changes.current(), before, 'SQLite sees the commit from the next turn');
      }
      else await eventually(async () => server.changes.current(), (token) => token !== before, 'the notification never came');
    }

    it('answers a repeated read from memory, and a change made by another connection on the next read', async () => {
      const { counter, plugin } = countingPlugin();
      const cache = new ReadAccessCache(server.db.withPlugin(plugin), server.changes);
      const org = { id: crypto.randomUUID() };
      await writeElsewhere(() => createOrganization(other.db, { name: 'Elsewhere', id: org.id }));
      const first = await cache.get(org.id);
      assert.deepEqual(first, { requireReadToken: false, reportsRevision: 0 });
      const before = counter.queries;
      for (let i = 0; i < 5; i++) assert.deepEqual(await cache.get(org.id), first);
      assert.equal(counter.queries, before, 'a hit sends no statement to the database');

      await writeElsewhere(() => storeReports(other.db, [], { orgId: org.id, initiator: 'system', reports: [{ metadata: validateReportMetadata(sampleFields()), files: [] }] }));
      assert.deepEqual(await cache.get(org.id), { requireReadToken: false, reportsRevision: 1 });
      await writeElsewhere(() => updateOrganization(other.db, org.id, { requireReadToken: true }));
      assert.deepEqual(await cache.get(org.id), { requireReadToken: true, reportsRevision: 1 });
      assert.equal(counter.queries, before + 2, 'one read per change');
    });

    it("sees this process's own writes on the next read, before any notification could arrive", async () => {
      const cache = new ReadAccessCache(server.db, server.changes);
      const org = await createOrganization(server.db, { name: 'Here' });
      assert.deepEqual(await cache.get(org.id), { requireReadToken: false, reportsRevision: 0 });
      for (let revision = 1; revision <= 20; revision++) {
        await storeReports(server.db, [], { orgId: org.id, initiator: 'system', reports: [{ metadata: validateReportMetadata(sampleFields({ projectVersion: `${revision}.0` })), files: [] }] });
        assert.equal((await cache.get(org.id))?.reportsRevision, revision);
      }
    });

    it('caches an unknown organisation as absent until it is created', async () => {
      const cache = new ReadAccessCache(server.db, server.changes);
      const id = crypto.randomUUID();
      assert.equal(await cache.get(id), undefined);
      assert.equal(await cache.get(id), undefined);
      await writeElsewhere(() => createOrganization(other.db, { name: 'Late', id }));
      assert.deepEqual(await cache.get(id), { requireReadToken: false, reportsRevision: 0 });
    });

    if (dialect === 'postgres') {
      it('moves the token when this process commits a write to an organisation, and only then', async () => {
        let commits = 0;
        const pool = new pg.Pool({ connectionString: database.databaseUrl, max: 1 });
        const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool, onCreateConnection: async (c) => watchOrganizationWrites(c, () => commits++) }) });
        try {
          const org = await createOrganization(db, { name: 'Counted' });
          assert.equal(commits, 1, 'an autocommitted insert');
          await db.selectFrom('organizations').selectAll().execute();
          await db.selectFrom('reports').selectAll().execute();
          assert.equal(commits, 1, 'reads are not writes');
          await db.transaction().execute(async (trx) => {
            await trx.updateTable('organizations').set({ name: 'Counted again' }).where('id', '=', org.id).execute();
            assert.equal(commits, 0 + 1, 'not before the commit');
          });
          assert.equal(commits, 2, 'after the commit');
          await assert.rejects(
            db.transaction().execute(async (trx) => {
              await trx.updateTable('organizations').set({ name: 'Rolled back' }).where('id', '=', org.id).execute();
              throw new Error('roll back');
            }),
          );
          assert.equal(commits, 2, 'a rollback changed nothing');
          await db.transaction().execute(async (trx) => trx.selectFrom('organizations').selectAll().execute());
          assert.equal(commits, 2, 'a transaction that wrote no organisation');
        } finally {
          await db.destroy();
        }
      });

      it('reads the database on every request while the listener is down, and caches again once it is back', async () => {
        const { counter, plugin } = countingPlugin();
        const cache = new ReadAccessCache(server.db.withPlugin(plugin), server.changes);
        const org = await createOrganization(server.db, { name: 'Cut off' });
        await cache.get(org.id);
        let flagged = false;
        // The listener reconnects after half a second or more; a machine slow enough to let it back
        // in between the reads below makes the attempt void, and the cut is repeated.
        for (let attempt = 1; ; attempt++) {
          await sql`select pg_terminate_backend(pid) from pg_stat_activity
            where application_name = 'arkiv-listener' and datname = current_database()`.execute(other.db);
          await eventually(async () => server.changes.current(), (token) => token === undefined, 'the listener never noticed');
          // Meanwhile a change nobody is listening for: it must be seen all the same.
          flagged = !flagged;
          await updateOrganization(other.db, org.id, { requireReadToken: flagged });
          const before = counter.queries;
          assert.deepEqual(await cache.get(org.id), { requireReadToken: flagged, reportsRevision: 0 });
          assert.deepEqual(await cache.get(org.id), { requireReadToken: flagged, reportsRevision: 0 });
          if (server.changes.current() !== undefined && attempt < 5) continue;
          assert.equal(counter.queries - before, 2, 'one round trip per read without the listener');
          break;
        }
        await eventually(async () => server.changes.current(), (token) => token !== undefined, 'the listener never came back');
        await cache.get(org.id);
        const reconnected = counter.queries;
        await cache.get(org.id);
        assert.equal(counter.queries, reconnected, 'cached again');
      });
    }
  });
}
