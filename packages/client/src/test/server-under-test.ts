/**
 * Test-only bridge to the server's test helpers. The client package must not depend on the server
 * at build time (the server depends on the client), so the helpers are loaded by file URL at run
 * time (under tsx, as every test runs) and typed here by the parts client tests use.
 */
export interface ServerUnderTest {
  url: string;
  orgId: string;
  tokens: { read: string; upload: string; admin: string };
  database: { dataDir: string; databaseUrl: string | undefined };
  addOrganization(name: string): Promise<{ orgId: string; adminToken: string }>;
  stop(): Promise<void>;
}

interface ServerTestHelpers {
  startTestServer(dialect: string, env?: Record<string, string>): Promise<ServerUnderTest>;
}

const helper = (file: string) => new URL(`../../../server/src/test/${file}`, import.meta.url).href;

const { startTestServer } = (await import(helper('test-server.ts'))) as ServerTestHelpers;
const database = (await import(helper('test-database.ts'))) as { testDialects: string[] };
const fixtures = (await import(helper('fixtures.ts'))) as { pdfBytes(text?: string): Buffer; htmlBytes(title?: string): Buffer };

/** The engines the suite runs on (ARKIV_TEST_DIALECTS), as the server's tests see them. */
export const testDialects: readonly string[] = database.testDialects;
export const { pdfBytes, htmlBytes } = fixtures;

/** A real Arkiv on 127.0.0.1 with a fresh database and an organisation with read/upload/admin tokens. */
export function startServerUnderTest(dialect: string, env?: Record<string, string>): Promise<ServerUnderTest> {
  return startTestServer(dialect, env);
}
