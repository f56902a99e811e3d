import crypto from 'node:crypto';
import { sql } from 'kysely';
import { createContext, loadConfig } from '@arkiv/server';
import { reportBatches } from './dataset.js';

/** 12 columns per row: 1 000 rows stay under SQLite's 32 766 and PostgreSQL's 65 535 parameters. */
const ROWS_PER_INSERT = 1_000;
const INSERTS_PER_TRANSACTION = 50;

/**
 * Creates the benchmark organisation and its reports through Kysely in bulk: multi-row inserts,
 * many per transaction. Runs Arkiv's own migrations first, so the schema and indexes are the
 * ones the server uses. PostgreSQL is ANALYZEd afterwards, as autovacuum would soon do; SQLite
 * is left as Arkiv leaves it (no ANALYZE), because that is what a real deployment runs with.
 */
export async function seedOrganization(env: Record<string, string>, totalReports: number): Promise<{ orgId: string; seconds: number }> {
  const started = performance.now();
  const ctx = await createContext(loadConfig({ ...env, ARKIV_LOG_LEVEL: 'warn', ARKIV_SECRET_KEY: BENCH_SECRET_KEY }));
  try {
    if (ctx.database.dialect === 'sqlite') {
      // Random UUID keys land all over the indexes: a large page cache keeps the bulk load in
      // memory. A crash while seeding only loses benchmark data, so commits need not reach disk.
      await sql`pragma cache_size = -1048576`.execute(ctx.db);
      await sql`pragma synchronous = off`.execute(ctx.db);
    }
    const orgId = crypto.randomUUID();
    await ctx.db.insertInto('organizations').values({ id: orgId, name: 'List benchmark', require_read_token: 0, created_at: Date.now() }).execute();
    const batches = reportBatches(orgId, totalReports, ROWS_PER_INSERT);
    for (let done = false; !done; ) {
      await ctx.db.transaction().execute(async (trx) => {
        for (let i = 0; i < INSERTS_PER_TRANSACTION; i++) {
          const batch = batches.next();
          if (batch.done) {
            done = true;
            return;
          }
          await trx.insertInto('reports').values(batch.value).execute();
        }
      });
    }
    if (ctx.database.dialect === 'postgres') await sql`analyze reports`.execute(ctx.db);
    return { orgId, seconds: (performance.now() - started) / 1000 };
  } finally {
    await ctx.database.close();
  }
}

export const BENCH_SECRET_KEY = 'list-benchmark-secret-key-0123456789abcdef';
