import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openDatabase } from './connect.js';

const pages = (file: string) => Math.floor(fs.statSync(file).size / 4096);

test('the SQLite WAL is checkpointed by the background thread, not inside commits', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-wal-'));
  const handle = openDatabase({ dataDir });
  try {
    const db = handle.db;
    const [{ wal_autocheckpoint: auto }] = (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows as [{ wal_autocheckpoint: number }];
    assert.equal(auto, 0, 'commits must not checkpoint while the thread runs');

    await sql`create table filler (id integer primary key, data blob not null)`.execute(db);
    const file = path.join(dataDir, 'arkiv.sqlite');
    const before = pages(file);
    // About 500 pages: half of SQLite's automatic threshold, so only the thread can have copied them.
    for (let i = 0; i < 50; i++) await sql`insert into filler (data) values (randomblob(40000))`.execute(db);
    let after = pages(file);
    for (let waited = 0; after - before < 400 && waited < 5000; waited += 100) {
      await sleep(100);
      after = pages(file);
    }
    assert.ok(after - before >= 400, `database file grew by ${after - before} pages`);
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a server process checkpoints start-up\'s writes when start-up is done, and what it writes later once the thread has started', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-wal-'));
  const handle = openDatabase({ dataDir, deferCheckpointThread: true });
  try {
    const db = handle.db;
    const file = path.join(dataDir, 'arkiv.sqlite');
    await sql`create table filler (id integer primary key, data blob not null)`.execute(db);
    const atOpen = pages(file);
    for (let i = 0; i < 50; i++) await sql`insert into filler (data) values (randomblob(40000))`.execute(db);
    await sleep(1000);
    assert.ok(pages(file) - atOpen < 100, `start-up's writes wait for startUpDone (file grew by ${pages(file) - atOpen} pages)`);
    handle.startUpDone();
    const afterStartUp = pages(file);
    assert.ok(afterStartUp - atOpen >= 400, `start-up's writes checkpointed at once (file grew by ${afterStartUp - atOpen} pages)`);

    for (let i = 0; i < 50; i++) await sql`insert into filler (data) values (randomblob(40000))`.execute(db);
    let after = pages(file);
    for (let waited = 0; after - afterStartUp < 400 && waited < 5000; waited += 100) {
      await sleep(100);
      after = pages(file);
    }
    assert.ok(after - afterStartUp >= 400, `later writes checkpointed (file grew by ${after - afterStartUp} pages)`);
    // Past SQLite's automatic threshold in all, and commits still never checkpoint: the thread runs.
    for (let i = 0; i < 120; i++) await sql`insert into filler (data) values (randomblob(40000))`.execute(db);
    const [{ wal_autocheckpoint: auto }] = (await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db)).rows as [{ wal_autocheckpoint: number }];
    assert.equal(auto, 0);
    let last = pages(file);
    for (let waited = 0; last - after < 1100 && waited < 5000; waited += 100) {
      await sleep(100);
      last = pages(file);
    }
    assert.ok(last - after >= 1100, `the thread checkpointed the rest (file grew by ${last - after} pages)`);
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
