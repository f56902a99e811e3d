import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openDatabase } from '../db/connect.js';
import { startServeProcess } from '../test/serve-process.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { json } from './account-test-helpers.js';
import { verifyPassword } from './passwords.js';
import { confirmTotp, hasTotp, replaceRecoveryCodes, startTotpEnrolment } from './mfa-store.js';
import { createSession } from './sessions.js';
import { newTotpSecret } from './totp.js';
import { createUser } from './users.js';
import { SecretBox } from '../secrets.js';
import { bootstrapOwnerEmail } from './user-admin.js';

const mainScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');

function cliEnv(database: TestDatabase): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ARKIV_DATA_DIR: database.dataDir,
    ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    ARKIV_LOG_LEVEL: 'silent',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  };
}

/** Runs `arkiv …` to completion with `stdin` piped in (empty: nothing piped). */
function arkiv(database: TestDatabase, args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', mainScript, ...args], { env: cliEnv(database), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Runs `arkiv serve` on a free port, calls `work` once it listens, then stops it with SIGTERM. */
async function whileServing<T>(database: TestDatabase, env: Record<string, string>, work: (url: string, banner: string) => Promise<T>): Promise<T> {
  const serve = await startServeProcess(['serve'], { ...cliEnv(database), ARKIV_PORT: '0', ...env });
  try {
    return await work(serve.url, serve.output());
  } finally {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
}

describe('first-start owner email', () => {
  it('is admin@localhost unless ARKIV_ADMIN_EMAIL names another, which must be an address', () => {
    assert.equal(bootstrapOwnerEmail({}), 'admin@localhost');
    assert.equal(bootstrapOwnerEmail({ ARKIV_ADMIN_EMAIL: ' Ops@Example.test ' }), 'ops@example.test');
    assert.throws(() => bootstrapOwnerEmail({ ARKIV_ADMIN_EMAIL: 'ops team' }), /ARKIV_ADMIN_EMAIL must be an email address/);
  });
});

for (const dialect of testDialects) {
  describe(`arkiv user commands and the first-start owner (${dialect})`, () => {
    it('prints an owner login on first start, and the user commands follow the password rules', async () => {
      const database = await createTestDatabase(dialect);
      const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 1 });
      try {
        const orgId = await whileServing(database, { ARKIV_ADMIN_EMAIL: 'Boss@Example.test' }, async (url, banner) => {
          const owner = /Owner login:\s+(\S+)\n\s+Password:\s+(\S+)/.exec(banner);
          assert.ok(owner, banner);
          assert.equal(owner[1], 'boss@example.test');
          const id = /Organisation ID: (\S+)/.exec(banner)![1]!;
          const loggedIn = await fetch(`${url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: owner[1], password: owner[2] }),
          });
          assert.equal(loggedIn.status, 200);
          assert.deepEqual((await json(loggedIn)).memberships, [{ orgId: id, orgName: 'My organisation', role: 'owner', requireMfa: false }]);
          return id;
        });

        const piped = await arkiv(database, ['user', 'create', '--email', 'dev@example.test', '--org', orgId, '--role', 'admin', '--json'], 'a piped passphrase\n');
        assert.equal(piped.code, 0, piped.stderr);
        const created = JSON.parse(piped.stdout);
        assert.deepEqual({ ...created, userId: undefined }, { userId: undefined, email: 'dev@example.test', orgId, role: 'admin', userCreated: true });
        const passwordOf = async (email: string) => (await handle.db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow()).password_hash;
        assert.ok(await verifyPassword('a piped passphrase', await passwordOf('dev@example.test')));

        const generated = await arkiv(database, ['user', 'create', '--email', 'viewer@example.test', '--org', orgId, '--role', 'member']);
        assert.equal(generated.code, 0, generated.stderr);
        const shown = /password \(shown only this once\): (\S+)/.exec(generated.stdout)![1]!;
        assert.ok(await verifyPassword(shown, await passwordOf('viewer@example.test')));

        const short = await arkiv(database, ['user', 'create', '--email', 'short@example.test', '--org', orgId, '--role', 'member'], 'too short');
        assert.equal(short.code, 2);
        assert.match(short.stderr, /at least 12 characters/);
        const existing = await arkiv(database, ['user', 'create', '--email', 'dev@example.test', '--org', orgId, '--role', 'member'], 'another passphrase');
        assert.equal(existing.code, 2);
        assert.match(existing.stderr, /already has an account/);

        const devId = created.userId as string;
        await createSession(handle.db, devId, Date.now());
        const reset = await arkiv(database, ['user', 'reset-password', '--email', 'DEV@example.test', '--json']);
        assert.equal(reset.code, 0, reset.stderr);
        const result = JSON.parse(reset.stdout);
        assert.equal(result.sessionsEnded, 1);
        assert.ok(await verifyPassword(result.password, await passwordOf('dev@example.test')));
        assert.equal(await verifyPassword('a piped passphrase', await passwordOf('dev@example.test')), false);
        const unknown = await arkiv(database, ['user', 'reset-password', '--email', 'nobody@example.test']);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /no user with email nobody@example.test/);
      } finally {
        await handle.close();
        await database.drop();
      }
    });

    it('arkiv user unlock --email lifts the login locks of that email from every address', async () => {
      const database = await createTestDatabase(dialect);
      try {
        await whileServing(database, { ARKIV_ADMIN_EMAIL: 'owner@example.test', ARKIV_TRUST_PROXY: 'loopback' }, async (url, banner) => {
          const password = /Password:\s+(\S+)/.exec(banner)![1]!;
          const login = (secret: string) => fetch(`${url}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
            body: JSON.stringify({ email: 'owner@example.test', password: secret }),
          }).then((r) => r.status);
          for (let i = 0; i < 5; i += 1) assert.equal(await login('wrong password'), 401);
          assert.equal(await login(password), 429);
          const unlocked = await arkiv(database, ['user', 'unlock', '--email', 'Owner@Example.test', '--json']);
          assert.equal(unlocked.code, 0, unlocked.stderr);
          assert.equal(JSON.parse(unlocked.stdout).email, 'owner@example.test');
          assert.ok(JSON.parse(unlocked.stdout).cleared >= 1);
          assert.equal(await login(password), 200);
        });
      } finally {
        await database.drop();
      }
    });

    it('arkiv user delete --email deletes an account; the last owner is refused and kept', async () => {
      const database = await createTestDatabase(dialect);
      const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 1 });
      try {
        const orgId = await whileServing(database, { ARKIV_ADMIN_EMAIL: 'owner@example.test' }, async (_url, banner) => /Organisation ID: (\S+)/.exec(banner)![1]!);
        const created = await arkiv(database, ['user', 'create', '--email', 'leaver@example.test', '--org', orgId, '--role', 'admin', '--json']);
        assert.equal(created.code, 0, created.stderr);
        const leaverId = JSON.parse(created.stdout).userId as string;
        await createSession(handle.db, leaverId, Date.now());

        const deleted = await arkiv(database, ['user', 'delete', '--email', 'Leaver@Example.test', '--json']);
        assert.equal(deleted.code, 0, deleted.stderr);
        assert.deepEqual(JSON.parse(deleted.stdout), { userId: leaverId, email: 'leaver@example.test', sessionsEnded: 1, invitationsWithdrawn: 0 });
        assert.equal((await handle.db.selectFrom('users').select('id').where('id', '=', leaverId).execute()).length, 0);
        assert.equal((await handle.db.selectFrom('memberships').select('org_id').where('user_id', '=', leaverId).execute()).length, 0);

        const lastOwner = await arkiv(database, ['user', 'delete', '--email', 'owner@example.test']);
        assert.equal(lastOwner.code, 2);
        assert.match(lastOwner.stderr, /last owner of an organisation/);
        const owners = await handle.db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id').select('users.email').where('org_id', '=', orgId).where('role', '=', 'owner').execute();
        assert.deepEqual(owners, [{ email: 'owner@example.test' }]);
        const unknown = await arkiv(database, ['user', 'delete', '--email', 'leaver@example.test']);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /no user with email leaver@example.test/);
      } finally {
        await handle.close();
        await database.drop();
      }
    });

    it('arkiv user reset-mfa --email turns TOTP off for a lost device and ends the sessions', async () => {
      const database = await createTestDatabase(dialect);
      const handle = openDatabase({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, poolSize: 1 });
      try {
        const migrated = await arkiv(database, ['migrate']);
        assert.equal(migrated.code, 0, migrated.stderr);
        const user = await createUser(handle.db, { email: 'lost.phone@example.test', password: 'a password of twelve', now: Date.now() });
        await startTotpEnrolment(handle.db, new SecretBox(cliEnv(database).ARKIV_SECRET_KEY!), user.id, newTotpSecret(), Date.now());
        await confirmTotp(handle.db, user.id, 1, Date.now());
        await replaceRecoveryCodes(handle.db, user.id, Date.now());
        await createSession(handle.db, user.id, Date.now());

        const reset = await arkiv(database, ['user', 'reset-mfa', '--email', 'Lost.Phone@example.test', '--json']);
        assert.equal(reset.code, 0, reset.stderr);
        assert.deepEqual(JSON.parse(reset.stdout), { userId: user.id, email: 'lost.phone@example.test', totpWasOn: true, sessionsEnded: 1 });
        assert.equal(await hasTotp(handle.db, user.id), false);
        assert.equal((await handle.db.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()).length, 0);
        const again = await arkiv(database, ['user', 'reset-mfa', '--email', 'lost.phone@example.test']);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, /TOTP was not on for lost.phone@example.test; 0 session\(s\) ended/);
        const unknown = await arkiv(database, ['user', 'reset-mfa', '--email', 'nobody@example.test']);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /no user with email nobody@example.test/);
      } finally {
        await handle.close();
        await database.drop();
      }
    });
  });
}
