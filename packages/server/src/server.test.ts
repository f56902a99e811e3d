import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { loadConfig } from './config.js';
import { startServer } from './server.js';
import pg from 'pg';
import { createTestDatabase, postgresAdminUrl, testDialects } from './test/test-database.js';

for (const dialect of testDialects) {
  describe(`server start on ${dialect}`, () => {
    it('fails cleanly when the port is taken, leaving no database connection open', async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      const database = await createTestDatabase(dialect);
      try {
        const config = loadConfig({
          ARKIV_PORT: String(port),
          ARKIV_DATA_DIR: database.dataDir,
          ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
          ARKIV_LOG_LEVEL: 'silent',
          ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
        });
        await assert.rejects(startServer(config), (error: NodeJS.ErrnoException) => error.code === 'EADDRINUSE');
        if (database.databaseUrl) {
          // A leaked pool would keep sessions on the database (and this process alive).
          const admin = new pg.Client({ connectionString: postgresAdminUrl });
          await admin.connect();
          try {
            const name = new URL(database.databaseUrl).pathname.slice(1);
            const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
            assert.equal(rows[0].n, 0);
          } finally {
            await admin.end();
          }
        }
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
        await database.drop();
      }
    });
  });
}
