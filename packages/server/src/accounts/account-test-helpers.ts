/** Test helpers for accounts: real users in the test database, real logins over HTTP. */
import type { TestServer } from '../test/test-server.js';
import { addMembership } from './memberships.js';
import type { Role } from './principal.js';
import { createUser } from './users.js';

/** A response body as loosely typed JSON, for assertions. */
export const json = (response: Response): Promise<any> => response.json();

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

let counter = 0;

/** A user with a role in `orgId` (or in no organisation when role is null). */
export async function addUser(server: TestServer, role: Role | null, orgId = server.orgId, email?: string): Promise<TestUser> {
  counter += 1;
  const address = email ?? `user${counter}-${role ?? 'none'}@example.test`;
  const password = `correct horse battery ${counter}`;
  const user = await createUser(server.ctx.db, { email: address, password, now: server.ctx.now() });
  if (role) await addMembership(server.ctx.db, { orgId, userId: user.id, role, now: server.ctx.now() });
  return { ...user, password };
}

export interface LoggedIn {
  cookie: string;
  csrfToken: string;
  /** Headers for a request made with this session; writes carry the CSRF token. */
  headers(write?: boolean): Record<string, string>;
}

export async function postLogin(server: TestServer, email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
}

/** The `name=value` part of the response's arkiv_session cookie. */
export function sessionCookieOf(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('arkiv_session='));
  if (!cookie) throw new Error(`no session cookie in the response (status ${response.status})`);
  return cookie.split(';')[0]!;
}

export async function login(server: TestServer, user: { email: string; password: string }, headers: Record<string, string> = {}): Promise<LoggedIn> {
  const response = await postLogin(server, user.email, user.password, headers);
  if (response.status !== 200) throw new Error(`login of ${user.email} answered ${response.status}: ${await response.text()}`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookie = sessionCookieOf(response);
  return {
    cookie,
    csrfToken,
    headers: (write = false) => ({ cookie, ...(write ? { 'x-csrf-token': csrfToken } : {}) }),
  };
}
