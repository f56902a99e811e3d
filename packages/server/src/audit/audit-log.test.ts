import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { createOrganization } from '../orgs/org-store.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { canonicalJson, entryHash, entryText, GENESIS_HASH, type ChainedEntry } from './audit-chain.js';
import { appendAudit, type AuditEntry } from './audit-log.js';
import { verifyAuditChain } from './audit-verify.js';

const mainScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');

function arkiv(database: TestDatabase, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    ARKIV_DATA_DIR: database.dataDir,
    ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    ARKIV_LOG_LEVEL: 'silent',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', mainScript, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('canonical JSON', () => {
  it('sorts keys by UTF-16 code units at every depth, writes strings as JSON and refuses fractions', () => {
    assert.equal(canonicalJson({ b: 1, a: [true, null, { z: 'é\n', y: '\u2028' }], A: -3 }), '{"A":-3,"a":[true,null,{"y":"\u2028","z":"é\\n"}],"b":1}');
    assert.equal(canonicalJson({ '\u{1F600}': 1, '\uFFFD': 2 }), '{"\u{1F600}":1,"\uFFFD":2}');
    assert.throws(() => canonicalJson({ n: 1.5 }), /safe integers/);
  });

  it('the entry text appendAudit writes member by member is the canonical JSON of the documented object', () => {
    const entries: ChainedEntry[] = [
      { orgId: 'o', seq: 1, at: 0, action: 'report.download', actor: { kind: 'anonymous' }, address: null, details: {}, prevHash: GENESIS_HASH },
      {
        orgId: crypto.randomUUID(),
        seq: 9_007_199_254_740_991,
        at: 1_700_000_000_123,
        action: 'member.role_change',
        actor: { kind: 'user', id: 'u"\\1', label: 'Zoë \u2028 <z@example.test>' },
        address: '::ffff:10.0.0.1',
        details: { z: [1, 'two', { b: null, a: false }], A: -3, '\u{1F600}': 'é' },
        prevHash: 'f'.repeat(64),
      },
    ];
    for (const entry of entries) {
      const documented = canonicalJson({
        v: 1,
        org: entry.orgId,
        seq: entry.seq,
        at: entry.at,
        action: entry.action,
        actor: { kind: entry.actor.kind, id: entry.actor.id ?? null, label: entry.actor.label ?? null },
        address: entry.address,
        details: entry.details,
        prev: entry.prevHash,
      });
      assert.equal(entryText(entry, canonicalJson(entry.details)), documented);
      assert.equal(entryHash(entry), crypto.createHash('sha256').update(documented).digest('hex'));
    }
  });
});

for (const dialect of testDialects) {
  describe(`audit log hash chain (${dialect})`, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    before(async () => {
      database = await createTestDatabase(dialect);
      handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 8 });
      await migrateToLatest(handle.db);
    });
    after(async () => {
      await handle.close();
      await database.drop();
    });

    const db = () => handle.db;
    const newOrg = async () => (await createOrganization(db(), { name: `org ${crypto.randomUUID()}` })).id;
    const entry = (orgId: string, n: number): AuditEntry => ({
      orgId,
      action: 'report.download',
      actor: { kind: 'user', id: crypto.randomUUID(), label: `user${n}@example.test` },
      address: '127.0.0.1',
      details: { reportIds: [crypto.randomUUID()], bytes: n * 1000, complete: true, name: 'Zoë "quoted"' },
      at: 1_700_000_000_000 + n,
    });
    const append = (entries: AuditEntry | AuditEntry[]) => db().transaction().execute((trx) => appendAudit(trx, entries));
    const rows = (orgId: string) => db().selectFrom('audit_log').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();

    it('links each entry to the previous one by a SHA-256 anyone can recompute from the row', async () => {
      const orgId = await newOrg();
      for (let n = 1; n <= 5; n++) await append(entry(orgId, n));
      const chain = await rows(orgId);
      assert.deepEqual(chain.map((r) => Number(r.seq)), [1, 2, 3, 4, 5]);
      let previous = GENESIS_HASH;
      for (const row of chain) {
        assert.equal(row.prev_hash, previous);
        // The documented serialisation, written out by hand rather than through the module.
        const text = canonicalJson({
          action: row.action,
          actor: { id: row.actor_id, kind: row.actor_kind, label: row.actor_label },
          address: row.address,
          at: Number(row.at),
          details: JSON.parse(row.details),
          org: orgId,
          prev: row.prev_hash,
          seq: Number(row.seq),
          v: 1,
        });
        assert.equal(crypto.createHash('sha256').update(text).digest('hex'), row.hash);
        previous = row.hash;
      }
      assert.deepEqual(await verifyAuditChain(db(), orgId), { intact: true, orgId, entries: 5, headHash: previous });
      const empty = await newOrg();
      assert.deepEqual(await verifyAuditChain(db(), empty), { intact: true, orgId: empty, entries: 0, headHash: GENESIS_HASH });
    });

    it('a batch of many entries for several organisations chains each one in order (multi-row inserts of every size)', async () => {
      const [first, second] = [await newOrg(), await newOrg()];
      await append(entry(first, 0));
      // 90 = 64 + 16 + 4 + 4 + 1 + 1 rows; the other organisation's 7 entries interleaved.
      const batch = Array.from({ length: 97 }, (_, n) => entry(n % 14 === 3 ? second : first, n + 1));
      const appended = await append(batch);
      assert.equal(appended.length, 97);
      const chain = await rows(first);
      assert.deepEqual(chain.map((r) => JSON.parse(r.details).bytes / 1000), [0, ...batch.filter((e) => e.orgId === first).map((e) => e.details!.bytes as number / 1000)]);
      assert.deepEqual(chain.map((r) => Number(r.seq)), Array.from({ length: 91 }, (_, n) => n + 1));
      assert.deepEqual((await rows(second)).map((r) => Number(r.seq)), [1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(await verifyAuditChain(db(), first).then((v) => [v.intact, v.entries]), [true, 91]);
      assert.deepEqual(await verifyAuditChain(db(), second).then((v) => [v.intact, v.entries]), [true, 7]);
      const heads = await db().selectFrom('audit_heads').select(['org_id', 'seq', 'hash']).where('org_id', 'in', [first, second]).execute();
      assert.deepEqual(
        heads.map((h) => [h.org_id, Number(h.seq), h.hash]).sort(),
        [[first, 91, chain.at(-1)!.hash], [second, 7, (await rows(second)).at(-1)!.hash]].sort(),
      );
    });

    it('an entry rolls back with its transaction, leaving no gap', async () => {
      const orgId = await newOrg();
      await append(entry(orgId, 1));
      await assert.rejects(
        db().transaction().execute(async (trx) => {
          await appendAudit(trx, entry(orgId, 2));
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      await append(entry(orgId, 3));
      assert.deepEqual((await rows(orgId)).map((r) => [Number(r.seq), r.details.includes('3000')]), [[1, false], [2, true]]);
      assert.equal((await verifyAuditChain(db(), orgId)).intact, true);
    });

    it('times never decrease along a chain: an entry from a lagging clock gets the head time', async () => {
      const orgId = await newOrg();
      await append({ ...entry(orgId, 1), at: 2_000 });
      await append({ ...entry(orgId, 2), at: 1_000 });
      assert.deepEqual((await rows(orgId)).map((r) => Number(r.at)), [2_000, 2_000]);
    });

    it('concurrent appends from several connections queue on the head: one chain, no gap, no fork', async () => {
      const orgId = await newOrg();
      const other = await newOrg();
      // Two handles on PostgreSQL are two pools, as two processes would have; SQLite has one writer.
      const second = dialect === 'postgres' ? openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 8 }) : handle;
      try {
        await Promise.all(
          Array.from({ length: 60 }, (_, n) =>
            (n % 2 ? second : handle).db.transaction().execute(async (trx) => {
              // Some transactions append to both organisations, in either order.
              await appendAudit(trx, n % 3 === 0 ? [entry(other, n), entry(orgId, n)] : entry(orgId, n));
            }),
          ),
        );
      } finally {
        if (second !== handle) await second.close();
      }
      assert.deepEqual((await rows(orgId)).map((r) => Number(r.seq)), Array.from({ length: 60 }, (_, n) => n + 1));
      assert.deepEqual(await verifyAuditChain(db(), orgId).then((v) => [v.intact, v.entries]), [true, 60]);
      assert.deepEqual(await verifyAuditChain(db(), other).then((v) => [v.intact, v.entries]), [true, 20]);
    });

    it('records changes made at the command line with the operator as actor', async () => {
      const orgId = await newOrg();
      const created = await arkiv(database, ['token', 'create', '--org', orgId, '--scope', 'read', '--name', 'from the cli', '--json']);
      assert.equal(created.code, 0, created.stderr);
      const { id } = JSON.parse(created.stdout) as { id: string };
      const [entry] = await rows(orgId);
      assert.deepEqual(
        { action: entry!.action, actor: [entry!.actor_kind, entry!.actor_id, entry!.actor_label], address: entry!.address, details: JSON.parse(entry!.details) },
        { action: 'token.create', actor: ['system', null, 'cli'], address: null, details: { tokenId: id, name: 'from the cli', scopes: ['read'] } },
      );
    });

    it('names the first broken entry after a row is edited, replaced whole, deleted or cut off the end', async () => {
      const orgId = await newOrg();
      for (let n = 1; n <= 6; n++) await append(entry(orgId, n));
      const original = await rows(orgId);
      const restore = async () => {
        await db().deleteFrom('audit_log').where('org_id', '=', orgId).execute();
        await db().insertInto('audit_log').values(original).execute();
      };
      const verdict = async () => {
        const v = await verifyAuditChain(db(), orgId);
        return v.intact ? 'intact' : `${v.brokenSeq}: ${v.reason}`;
      };

      // Edited directly in the database, as someone with SQL access would.
      await sql`update audit_log set address = '10.0.0.9' where org_id = ${orgId} and seq = 3`.execute(db());
      assert.match(await verdict(), /^3: entry 3 was altered/);
      await restore();
      assert.equal(await verdict(), 'intact');

      // Edited and its hash recomputed: the next entry no longer follows it.
      const forged = { ...original[2]!, address: '10.0.0.9' };
      const { rowHash } = await import('./audit-verify.js');
      await sql`update audit_log set address = '10.0.0.9', hash = ${rowHash(forged)} where org_id = ${orgId} and seq = 3`.execute(db());
      assert.match(await verdict(), /^4: entry 4 does not follow entry 3/);
      await restore();

      await sql`delete from audit_log where org_id = ${orgId} and seq = 2`.execute(db());
      assert.match(await verdict(), /^2: entry 2 is missing \(the next entry present is 3\)/);
      await restore();

      await sql`delete from audit_log where org_id = ${orgId} and seq = 6`.execute(db());
      assert.match(await verdict(), /^6: entry 6 is missing: the chain's head records 6 entries/);
      await restore();
      assert.equal(await verdict(), 'intact');

      // The command line says the same, with the exit status scripts branch on.
      const intact = await arkiv(database, ['audit', 'verify', '--org', orgId]);
      assert.equal(intact.code, 0, intact.stderr);
      assert.match(intact.stdout, new RegExp(`audit log of ${orgId} intact: 6 entries, head ${original[5]!.hash}`));
      await sql`update audit_log set details = ${original[4]!.details.replace('5000', '5001')} where org_id = ${orgId} and seq = 5`.execute(db());
      const broken = await arkiv(database, ['audit', 'verify', '--org', orgId]);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, new RegExp(`audit log of ${orgId} broken at entry 5: entry 5 was altered`));
      const asJson = await arkiv(database, ['audit', 'verify', '--org', orgId, '--json']);
      assert.equal(asJson.code, 1);
      assert.deepEqual(JSON.parse(asJson.stdout), { intact: false, orgId, entries: 4, brokenSeq: 5, reason: 'entry 5 was altered: its content does not hash to its recorded hash' });
    });
  });
}
