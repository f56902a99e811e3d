import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { PgNotifications } from './pg-notifications.js';

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

if (testDialects.includes('postgres')) {
  describe('PgNotifications (postgres)', () => {
    let database: TestDatabase;
    let sender: pg.Client;

    before(async () => {
      database = await createTestDatabase('postgres');
      sender = new pg.Client({ connectionString: database.databaseUrl });
      await sender.connect();
    });
    after(async () => {
      await sender.end();
      await database.drop();
    });

    it('delivers payloads per channel, only on commit, and closes with the last subscriber', async () => {
      const notifications = new PgNotifications(database.databaseUrl!, pino({ level: 'silent' }));
      const a: string[] = [];
      const b: string[] = [];
      const offA = await notifications.subscribe('test_a', (payload) => a.push(payload));
      const offB = await notifications.subscribe('test_b', (payload) => b.push(payload));
      // The first connect calls every subscriber once (catch-up); count from here.
      a.length = 0;
      b.length = 0;
      await sender.query('begin');
      await sender.query(`select pg_notify('test_a', 'one')`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(a, [], 'nothing before the commit');
      await sender.query('commit');
      await until(() => a.length === 1, 'notification after commit');
      assert.deepEqual(a, ['one']);
      await sender.query('begin');
      await sender.query(`select pg_notify('test_b', 'dropped')`);
      await sender.query('rollback');
      await sender.query(`select pg_notify('test_b', 'two')`);
      await until(() => b.length === 1, 'notification on test_b');
      assert.deepEqual(b, ['two'], 'a rolled-back NOTIFY is never delivered');
      await offA();
      await sender.query(`select pg_notify('test_a', 'after unsubscribe')`);
      await sender.query(`select pg_notify('test_b', 'three')`);
      await until(() => b.length === 2, 'test_b still delivered');
      assert.deepEqual(a, ['one']);
      await offB();
      assert.equal(notifications.connected, false);
      const { rows } = await sender.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'arkiv-listener'`);
      assert.equal(rows[0].n, 0, 'the LISTEN connection is closed');
    });

    it('reconnects after its connection is terminated, calls every subscriber once, and listens again', async () => {
      const notifications = new PgNotifications(database.databaseUrl!, pino({ level: 'silent' }));
      const seen: string[] = [];
      const off = await notifications.subscribe('test_c', (payload) => seen.push(payload));
      try {
        const pid = notifications.backendPid!;
        assert.ok(pid > 0);
        seen.length = 0;
        await sender.query('select pg_terminate_backend($1)', [pid]);
        await until(() => notifications.connected && notifications.backendPid !== pid, 'reconnected');
        await until(() => seen.includes(''), 'the catch-up call after reconnecting');
        await sender.query(`select pg_notify('test_c', 'after reconnect')`);
        await until(() => seen.includes('after reconnect'), 'a notification on the new connection');
      } finally {
        await off();
      }
    });

    it('serves a cache subscriber (listening / lost) and a queue subscriber on one connection', async () => {
      const notifications = new PgNotifications(database.databaseUrl!, pino({ level: 'silent' }));
      const events: string[] = [];
      const woken: string[] = [];
      const offCache = await notifications.subscribe('test_cache', {
        onNotification: (payload) => events.push(`notification ${payload}`),
        onListening: () => events.push('listening'),
        onLost: () => events.push('lost'),
      });
      const offQueue = await notifications.subscribe('test_queue', (payload) => woken.push(payload));
      try {
        assert.deepEqual(events, ['listening'], 'told once LISTEN is in force');
        assert.deepEqual(woken, [''], 'the queue subscriber looks once');
        const { rows } = await sender.query(`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'arkiv-listener'`);
        assert.equal(rows[0].n, 1, 'both channels on one connection');
        await sender.query(`select pg_notify('test_cache', 'org-1')`);
        await until(() => events.length === 2, 'the cache notification');
        const pid = notifications.backendPid!;
        await sender.query('select pg_terminate_backend($1)', [pid]);
        await until(() => events.includes('lost'), 'the cache told of the loss');
        assert.deepEqual(events.slice(0, 3), ['listening', 'notification org-1', 'lost']);
        await until(() => events.at(-1) === 'listening' && woken.length === 2, 'both told after the reconnect');
        assert.notEqual(notifications.backendPid, pid);
        await sender.query(`select pg_notify('test_queue', 'job')`);
        await until(() => woken.includes('job'), 'the queue notification on the new connection');
      } finally {
        await offCache();
        await offQueue();
      }
      assert.equal(notifications.connected, false);
    });

    it('keeps retrying while the database refuses connections and recovers when it answers', async () => {
      // A database that does not exist yet: every connect fails until it is created.
      const url = new URL(database.databaseUrl!);
      const name = `${url.pathname.slice(1)}_later`;
      url.pathname = `/${name}`;
      const notifications = new PgNotifications(url.toString(), pino({ level: 'silent' }));
      const seen: string[] = [];
      const off = await notifications.subscribe('test_d', (payload) => seen.push(payload));
      try {
        assert.equal(notifications.connected, false);
        await sender.query(`create database ${name}`);
        await until(() => notifications.connected, 'connected once the database exists');
        const late = new pg.Client({ connectionString: url.toString() });
        await late.connect();
        await late.query(`select pg_notify('test_d', 'hello')`);
        await late.end();
        await until(() => seen.includes('hello'), 'notification');
      } finally {
        await off();
        await sender.query(`drop database if exists ${name} with (force)`);
      }
    });
  });
}
