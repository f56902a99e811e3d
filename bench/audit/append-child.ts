import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createTestDatabase } from '../../packages/server/src/test/test-database.js';

/**
 * Appends download-shaped entries in batches through the appendAudit of the checkout named by
 * ARKIV_CHECKOUT (this one or a baseline), on a fresh database, and prints the CPU time (user +
 * system, the WAL checkpointer thread included) per entry as JSON. Argument: dialect batch count.
 */
const [dialect, batchText, countText] = process.argv.slice(2) as ['sqlite' | 'postgres', string, string];
const batch = Number(batchText);
const count = Number(countText);
const checkout = process.env.ARKIV_CHECKOUT!;
const load = (module: string) => import(pathToFileURL(`${checkout}/packages/server/src/${module}`).href);
const { openDatabase } = (await load('db/connect.ts')) as typeof import('../../packages/server/src/db/connect.js');
const { migrateToLatest } = (await load('db/migrate.ts')) as typeof import('../../packages/server/src/db/migrate.js');
const { createOrganization } = (await load('orgs/org-store.ts')) as typeof import('../../packages/server/src/orgs/org-store.js');
const { appendAudit } = (await load('audit/audit-log.ts')) as typeof import('../../packages/server/src/audit/audit-log.js');

const database = await createTestDatabase(dialect);
const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 8 });
try {
  await migrateToLatest(handle.db);
  const orgId = (await createOrganization(handle.db, { name: 'append cost' })).id;
  const reportId = crypto.randomUUID();
  const entry = () => ({
    orgId,
    action: 'report.download' as const,
    actor: { kind: 'token' as const, id: crypto.randomUUID() },
    address: '127.0.0.1',
    details: { reportIds: [reportId], format: 'zip', size: 123_456, bytes: 123_456, complete: true },
    at: Date.now(),
  });
  const run = async (entries: number) => {
    for (let done = 0; done < entries; done += batch) {
      const list = Array.from({ length: batch }, entry);
      await handle.db.transaction().execute((trx) => appendAudit(trx, list));
    }
  };
  await run(Math.min(count, 1000)); // warm-up: JIT, statement cache, pages
  const before = process.cpuUsage();
  await run(count);
  const used = process.cpuUsage(before);
  process.stdout.write(JSON.stringify({ cpuMicrosPerEntry: (used.user + used.system) / count, systemMicrosPerEntry: used.system / count }));
} finally {
  await handle.close();
  await database.drop();
}
