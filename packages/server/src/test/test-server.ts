import { pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import type { DialectName } from '../db/connect.js';
import { createContext, type AppContext } from '../context.js';
import { startServer, type RunningServer } from '../server.js';
import { createOrganization } from '../orgs/org-store.js';
import { createApiToken } from '../accounts/tokens.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestServer extends RunningServer {
  database: TestDatabase;
  orgId: string;
  /** Tokens of the test organisation, one per scope. */
  tokens: { read: string; upload: string; admin: string };
  /** Creates another organisation with an admin token. */
  addOrganization(name: string): Promise<{ orgId: string; adminToken: string }>;
  stop(): Promise<void>;
}

/**
 * A real Arkiv on 127.0.0.1 with a random port and a fresh database, plus an organisation with
 * read, upload and admin tokens. `stop` closes everything and drops the database.
 */
export async function startTestServer(
  dialect: DialectName,
  env: Record<string, string> = {},
  prepare?: (ctx: AppContext) => Promise<void> | void,
  /** Rewrites the PostgreSQL URL the server uses (e.g. through a test's TCP proxy). */
  databaseVia: (url: string) => string = (url) => url,
): Promise<TestServer> {
  const database = await createTestDatabase(dialect);
  const config: Readonly<Config> = {
    ...loadConfig({
      ARKIV_PORT: '0',
      ARKIV_DATA_DIR: database.dataDir,
      ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
      ARKIV_WEBHOOK_ALLOW_PRIVATE: '1',
      ARKIV_LOG_LEVEL: process.env.ARKIV_TEST_LOG_LEVEL ?? 'silent',
      ...(database.databaseUrl ? { DATABASE_URL: databaseVia(database.databaseUrl) } : {}),
      ...env,
    }),
  };
  const ctx = await createContext(config, { log: pino({ level: config.logLevel }) });
  await prepare?.(ctx);
  const server = await startServer(config, { ctx });
  const org = await createOrganization(ctx.db, { name: 'Test organisation' });
  const token = async (scope: 'read' | 'upload' | 'admin', orgId = org.id) =>
    (await createApiToken(ctx.db, { orgId, name: `test ${scope}`, scopes: [scope] })).token;
  return {
    ...server,
    database,
    orgId: org.id,
    tokens: { read: await token('read'), upload: await token('upload'), admin: await token('admin') },
    addOrganization: async (name) => {
      const other = await createOrganization(ctx.db, { name });
      return { orgId: other.id, adminToken: await token('admin', other.id) };
    },
    stop: async () => {
      await server.close();
      await database.drop();
    },
  };
}
