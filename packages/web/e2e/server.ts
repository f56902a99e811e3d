/**
 * The e2e tests start the real server from its TypeScript sources, but the dashboard's type-check
 * (DOM lib) must not re-check the server's code under browser typings: its own tsconfig does that.
 * So the server modules are imported by computed URL (untyped here) and described by the few
 * members these tests use. A renamed export fails the tests at start, loudly.
 */
export type Role = 'member' | 'admin' | 'owner';

export interface E2eServer {
  url: string;
  orgId: string;
  tokens: { read: string; upload: string; admin: string };
  ctx: { db: unknown; now(): number };
  addOrganization(name: string): Promise<{ orgId: string; adminToken: string }>;
  stop(): Promise<void>;
}

export interface E2eUser {
  id: string;
  email: string;
  password: string;
}

export interface UploadFields {
  projectName: string;
  projectVersion: string;
  reportType: string;
  reportVersion: number | string;
  date: string;
  vulnerabilitiesCount: number | string;
  securityRating: string;
}

interface ServerModules {
  startTestServer(dialect: 'sqlite', env?: Record<string, string>): Promise<E2eServer>;
  addUser(server: E2eServer, role: Role, orgId: string, email: string): Promise<E2eUser>;
  addMembership(db: unknown, input: { orgId: string; userId: string; role: Role; now: number }): Promise<void>;
  htmlBytes(title?: string): Buffer;
  pdfBytes(text?: string): Buffer;
  sampleFields(overrides?: Partial<UploadFields>): UploadFields;
  uploadForm(fields: Partial<UploadFields>, files?: { html?: Buffer | null; pdf?: Buffer | null }): FormData;
}

const serverSrc = new URL('../../server/src/', import.meta.url);
const load = async (file: string): Promise<Record<string, unknown>> => (await import(new URL(file, serverSrc).href)) as Record<string, unknown>;

export async function serverModules(): Promise<ServerModules> {
  const files = ['test/test-server.ts', 'accounts/account-test-helpers.ts', 'accounts/memberships.ts', 'test/fixtures.ts'];
  const modules = Object.assign({}, ...(await Promise.all(files.map(load)))) as ServerModules;
  for (const name of ['startTestServer', 'addUser', 'addMembership', 'htmlBytes', 'pdfBytes', 'sampleFields', 'uploadForm'] as const) {
    if (typeof modules[name] !== 'function') throw new Error(`server test helper ${name} is missing`);
  }
  return modules;
}
