import { Command, CommanderError, Option } from 'commander';
import path from 'node:path';
import { ConfigError, loadConfig, s3Settings, SETTINGS, type Config } from './config.js';
import { createContext } from './context.js';
import { openDatabase } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { createOrganization, listOrganizations } from './orgs/org-store.js';
import { createApiToken } from './accounts/tokens.js';
import { SCOPES, type Scope } from './accounts/principal.js';
import { startServer } from './server.js';
import { releaseStartUpMemory } from './shared/release-start-up-memory.js';
import { startMetricsServer } from './http/metrics-server.js';
import { bootstrapOwnerEmail, createUserWithRole, deleteUserAccount, readPipedPassword, resetUserMfa, resetUserPassword, unlockLogin } from './accounts/user-admin.js';
import { ROLES, type Role } from './accounts/principal.js';
import { SecretBox, resolveSecretKey } from './secrets.js';
import { rotateSigningKey } from './signing/key-store.js';
import { CLI_ACTOR, withAudit } from './audit/audit-log.js';
import { verifyAuditChain } from './audit/audit-verify.js';

/** Adds every configuration flag (--port, --data-dir, …) to a command. */
function withSettings(command: Command): Command {
  for (const s of SETTINGS) command.addOption(new Option(`${s.flag} <value>`, `${s.description} [env ${s.env}, default ${s.default}]`));
  return command;
}

/** The environment with flags laid over it: flags win. */
function settingsFrom(options: Record<string, unknown>): Record<string, string | undefined> {
  const source: Record<string, string | undefined> = { ...process.env };
  for (const s of SETTINGS) {
    const key = s.flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (typeof options[key] === 'string') source[s.env] = options[key] as string;
  }
  return source;
}

/** Flags win over environment variables; both go through the same validation. */
function configFrom(options: Record<string, unknown>): Readonly<Config> {
  return loadConfig(settingsFrom(options));
}

const print = (text: string) => process.stdout.write(`${text}\n`);

/** First start: an organisation and an admin token, printed once (the token is not stored in clear). */
async function bootstrapIfEmpty(config: Readonly<Config>, ctx: Awaited<ReturnType<typeof createContext>>): Promise<void> {
  if ((await listOrganizations(ctx.db)).length > 0) return;
  const ownerEmail = bootstrapOwnerEmail();
  const org = await createOrganization(ctx.db, { name: 'My organisation' });
  const { token } = await createApiToken(ctx.db, { orgId: org.id, name: 'bootstrap admin', scopes: ['admin'] });
  print('');
  print('Arkiv first start: created an organisation and an admin API token.');
  print(`  Organisation ID: ${org.id}`);
  print(`  Admin token:     ${token}`);
  print('  The token is shown only this once: store it now (arkiv token create makes more).');
  // Hashing the Owner's password takes 64 MiB for a moment (scrypt, passwords.ts): give start-up's
  // heap back first, so that moment stacks on the idle level rather than on loading's.
  await releaseStartUpMemory();
  const owner = await createUserWithRole(ctx.db, { email: ownerEmail, orgId: org.id, role: 'owner', now: ctx.now() });
  print(`  Owner login:     ${owner.email}`);
  print(`  Password:        ${owner.password}`);
  print('  The password is shown only this once: log in to the dashboard and change it (arkiv user reset-password resets it).');
  print(`  Try: curl "${config.publicUrl}/security/report/list?org=${org.id}&minver=0.0.0"`);
  print('');
}

async function withDatabase<T>(config: Readonly<Config>, work: (db: ReturnType<typeof openDatabase>['db']) => Promise<T>): Promise<T> {
  const handle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await migrateToLatest(handle.db);
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

function stopOnSignals(close: () => Promise<void>, graceSeconds: number): void {
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: shutting down\n`);
    // The hard deadline: whatever close() waits on, the process is gone shortly after the grace period.
    setTimeout(() => {
      process.stderr.write(`${signal}: shutdown did not finish within ${graceSeconds} s; exiting\n`);
      process.exit(1);
    }, (graceSeconds + 3) * 1000).unref();
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

export function buildAdminCli(): Command {
  // exitOverride is inherited by the subcommands created below: usage errors reach runAdminCli.
  const program = new Command('arkiv').description('Arkiv: a self-hostable hub for security reports').showHelpAfterError().exitOverride();

  withSettings(program.command('serve').description('Run the API and, unless --no-worker, the background workers'))
    .option('--no-worker', 'API only (scale-out: run `arkiv worker` processes separately)')
    .option('--demo', 'Seed a demo organisation with realistic reports and print example requests')
    .action(async (options: Record<string, unknown>) => {
      const config = { ...configFrom(options), runWorker: options.worker !== false };
      const ctx = await createContext(config, { deferCheckpointThread: true });
      await bootstrapIfEmpty(config, ctx);
      const server = await startServer(config, { ctx, serverProcess: true });
      print(`Arkiv listening on ${server.url} (API docs: ${server.url}/docs)`);
      stopOnSignals(server.close, config.shutdownGraceSeconds);
      if (options.demo) {
        // After startServer: features have installed their report hooks, so seeding fires webhooks.
        const { seedDemo } = await import('./demo/seed-demo.js');
        await seedDemo(server.ctx, { print }).catch(async (error: unknown) => {
          await server.close();
          throw error;
        });
      }
    });

  withSettings(program.command('worker').description('Run background workers only (webhook deliveries, imports)')).action(async (options: Record<string, unknown>) => {
    const config = { ...configFrom(options), runWorker: true };
    const server = await startServer(config, { api: false, serverProcess: true });
    const metrics = config.metricsPort === undefined ? undefined : await startMetricsServer(server.ctx.metrics, config.host, config.metricsPort).catch(async (error: unknown) => {
      await server.close();
      throw error;
    });
    print(`Arkiv worker running (${server.ctx.workers.map((w) => w.name).join(', ') || 'no workers registered'})${metrics ? `; metrics on ${metrics.url}/metrics` : ''}`);
    stopOnSignals(async () => {
      await metrics?.close();
      await server.close();
    }, config.shutdownGraceSeconds);
  });

  withSettings(program.command('migrate').description('Apply database migrations and exit')).action(async (options: Record<string, unknown>) => {
    const applied = await withDatabase(configFrom(options), migrateToLatest);
    print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });

  const blobs = program.command('blobs').description('Manage the blob store');
  withSettings(blobs.command('migrate').description('Copy every blob into another store; resumable, each blob hash-checked; the source is left as it is'))
    .addOption(new Option('--from <store>', 'the store the blobs are in now').choices(['fs', 'postgres']).makeOptionMandatory())
    .addOption(new Option('--to <store>', 'the store to copy them into (configured by the ARKIV_S3_* settings)').choices(['s3']).makeOptionMandatory())
    .action(async (options: Record<string, unknown>) => {
      const source = settingsFrom(options);
      const config = loadConfig(source);
      if (options.from === 'postgres' && !config.databaseUrl) throw new ConfigError('--from postgres needs DATABASE_URL');
      const { migrateBlobs } = await import('./blobs/blob-migrate.js');
      const { S3BlobStore } = await import('./blobs/s3-store.js');
      const target = new S3BlobStore(s3Settings(source));
      const database = options.from === 'postgres' ? openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 }) : undefined;
      try {
        await target.checkAccess();
        const { FsBlobStore } = await import('./blobs/fs-store.js');
        const from = database ? new (await import('./blobs/postgres-store.js')).PostgresBlobStore(database) : new FsBlobStore(path.join(config.dataDir, 'blobs'));
        const result = await migrateBlobs(from, target, {
          stagingDir: path.join(config.dataDir, 'blobs', 'tmp'),
          onProgress: (p) => print(`[${p.done}/${p.total}] ${p.outcome} ${p.key}${p.outcome === 'copied' ? ` (${p.size} bytes)` : ''}`),
        });
        print(`${result.copied} copied (${result.bytesCopied} bytes), ${result.skipped} already there, ${result.corrupt.length} corrupt of ${result.total}`);
        if (result.corrupt.length > 0) {
          process.stderr.write(`arkiv: ${result.corrupt.length} blob(s) in the ${String(options.from)} store do not match their SHA-256 and were not copied: ${result.corrupt.join(', ')}\n`);
          process.exitCode = 1;
        }
      } finally {
        target.close();
        await database?.close();
      }
    });

  withSettings(program.command('backup').description('Back up the database and the blobs it references into a new directory, while serving'))
    .requiredOption('--to <dir>', 'an empty or new directory')
    .action(async (options: Record<string, unknown>) => {
      const config = configFrom(options);
      const { backup } = await import('./backup/backup.js');
      const ctx = await createContext(config);
      try {
        const manifest = await backupOrExplain(() => backup(ctx, path.resolve(String(options.to)), print));
        print(`backup of ${manifest.reports} reports and ${manifest.blobs} blobs (${manifest.bytes} bytes) in ${path.resolve(String(options.to))}`);
        if (!manifest.secretKey) print('the secret key is not in the backup (ARKIV_SECRET_KEY is set): keep it with the backup, a restore needs it');
      } finally {
        await ctx.database.close();
        (ctx.blobs as { close?: () => void }).close?.();
      }
    });

  withSettings(program.command('restore').description('Restore a backup made by `arkiv backup` into this (stopped) installation'))
    .requiredOption('--from <dir>', 'the backup directory')
    .option('--force', 'replace a database (and secret key) that already holds data')
    .action(async (options: Record<string, unknown>) => {
      const { restore } = await import('./backup/restore.js');
      const result = await backupOrExplain(() => restore(configFrom(options), path.resolve(String(options.from)), { force: options.force === true, onProgress: print }));
      print(`restored ${result.manifest.reports} reports and ${result.blobs} blobs from the backup of ${result.manifest.createdAt}`);
    });

  const org = program.command('org').description('Manage organisations');
  withSettings(org.command('create').description('Create an organisation and print its id'))
    .requiredOption('--name <name>', 'organisation name')
    .option('--json', 'print {"id": …}')
    .action(async (options: Record<string, unknown>) => {
      const created = await withDatabase(configFrom(options), (db) => createOrganization(db, { name: String(options.name) }));
      print(options.json ? JSON.stringify({ id: created.id, name: created.name }) : created.id);
    });

  withSettings(org.command('rotate-signing-key').description("Make a new signing key for the organisation's archives; the old one stays published"))
    .requiredOption('--org <id>', 'organisation id')
    .option('--json', 'print the new key {"kid", "x", "fingerprint", …}')
    .action(async (options: Record<string, unknown>) => {
      const config = configFrom(options);
      const orgId = String(options.org).toLowerCase();
      const box = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir).key);
      const key = await withDatabase(config, async (db) => {
        if ((await listOrganizations(db, [orgId])).length === 0) throw new ConfigError(`no organisation with id ${orgId}`);
        return withAudit(
          db,
          (trx) => rotateSigningKey(trx, box, orgId, Date.now()),
          (key) => ({ orgId, action: 'signing_key.rotate', actor: CLI_ACTOR, details: { kid: key.kid, fingerprint: key.fingerprint }, at: Date.now() }),
        );
      });
      print(options.json ? JSON.stringify(key) : `new signing key ${key.kid} (fingerprint ${key.fingerprint}) signs from now on`);
    });

  const token = program.command('token').description('Manage API tokens');
  withSettings(token.command('create').description('Create an API token and print it once'))
    .requiredOption('--org <id>', 'organisation id')
    .addOption(new Option('--scope <scope...>', 'read, upload or admin').choices([...SCOPES]).makeOptionMandatory())
    .option('--name <name>', 'a name to tell tokens apart', 'cli')
    .option('--json', 'print {"token": …}')
    .action(async (options: Record<string, unknown>) => {
      const orgId = String(options.org);
      const created = await withDatabase(configFrom(options), async (db) => {
        if ((await listOrganizations(db, [orgId])).length === 0) throw new ConfigError(`no organisation with id ${orgId}`);
        const name = String(options.name);
        const scopes = options.scope as Scope[];
        return withAudit(
          db,
          (trx) => createApiToken(trx, { orgId, name, scopes }),
          (created) => ({ orgId, action: 'token.create', actor: CLI_ACTOR, details: { tokenId: created.id, name, scopes }, at: Date.now() }),
        );
      });
      print(options.json ? JSON.stringify({ id: created.id, token: created.token }) : created.token);
    });

  const user = program.command('user').description('Manage dashboard users');
  withSettings(user.command('create').description('Create a user (or add an existing one) with a role in an organisation'))
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--org <id>', 'organisation id')
    .addOption(new Option('--role <role>', 'owner, admin or member').choices([...ROLES]).makeOptionMandatory())
    .option('--json', 'print {"userId", "email", "orgId", "role", "userCreated", "password"?}')
    .action(async (options: Record<string, unknown>) => {
      const orgId = String(options.org);
      const password = await readPipedPassword();
      const created = await withDatabase(configFrom(options), async (db) => {
        if ((await listOrganizations(db, [orgId])).length === 0) throw new ConfigError(`no organisation with id ${orgId}`);
        return createUserWithRole(db, { email: String(options.email), orgId, role: options.role as Role, password, now: Date.now() });
      });
      if (options.json) {
        print(JSON.stringify(created));
        return;
      }
      print(`${created.userCreated ? 'created' : 'added existing'} user ${created.email} (${created.userId}) as ${created.role} of ${orgId}`);
      if (created.password) print(`password (shown only this once): ${created.password}`);
    });

  withSettings(user.command('reset-password').description("Set a user's password (piped on stdin, or generated and printed once); ends their sessions"))
    .requiredOption('--email <email>', 'login email')
    .option('--json', 'print {"userId", "email", "sessionsEnded", "password"?}')
    .action(async (options: Record<string, unknown>) => {
      const password = await readPipedPassword();
      const reset = await withDatabase(configFrom(options), (db) => resetUserPassword(db, { email: String(options.email), password, now: Date.now() }));
      if (options.json) {
        print(JSON.stringify(reset));
        return;
      }
      print(`password of ${reset.email} changed; ${reset.sessionsEnded} session(s) ended`);
      if (reset.password) print(`password (shown only this once): ${reset.password}`);
    });

  withSettings(user.command('unlock').description('Lift the login throttle of an email (after failed logins), from every address'))
    .requiredOption('--email <email>', 'login email')
    .option('--json', 'print {"email", "cleared"}')
    .action(async (options: Record<string, unknown>) => {
      const unlocked = await withDatabase(configFrom(options), (db) => unlockLogin(db, { email: String(options.email) }));
      print(options.json ? JSON.stringify(unlocked) : `login of ${unlocked.email} unlocked (${unlocked.cleared} throttle record(s) removed)`);
    });

  withSettings(user.command('reset-mfa').description('Turn off the TOTP second factor of a user who lost their device (and recovery codes); ends their sessions'))
    .requiredOption('--email <email>', 'login email')
    .option('--json', 'print {"userId", "email", "totpWasOn", "sessionsEnded"}')
    .action(async (options: Record<string, unknown>) => {
      const reset = await withDatabase(configFrom(options), (db) => resetUserMfa(db, { email: String(options.email) }));
      if (options.json) {
        print(JSON.stringify(reset));
        return;
      }
      print(`${reset.totpWasOn ? 'TOTP turned off' : 'TOTP was not on'} for ${reset.email}; ${reset.sessionsEnded} session(s) ended`);
    });

  withSettings(user.command('delete').description('Delete an account: its memberships, sessions and pending invitations (refused for the last owner of an organisation)'))
    .requiredOption('--email <email>', 'login email')
    .option('--json', 'print {"userId", "email", "sessionsEnded", "invitationsWithdrawn"}')
    .action(async (options: Record<string, unknown>) => {
      const deleted = await withDatabase(configFrom(options), (db) => deleteUserAccount(db, { email: String(options.email) }));
      print(options.json ? JSON.stringify(deleted) : `account ${deleted.email} (${deleted.userId}) deleted; ${deleted.sessionsEnded} session(s) ended, ${deleted.invitationsWithdrawn} pending invitation(s) withdrawn`);
    });

  const audit = program.command('audit').description("Check an organisation's audit log");
  withSettings(audit.command('verify').description('Walk the hash chain of the audit log and name the first broken entry; exit 1 when one is'))
    .requiredOption('--org <id>', 'organisation id')
    .option('--json', 'print {"intact", "entries", "headHash" | "brokenSeq", "reason"}')
    .action(async (options: Record<string, unknown>) => {
      const orgId = String(options.org).toLowerCase();
      const verdict = await withDatabase(configFrom(options), async (db) => {
        if ((await listOrganizations(db, [orgId])).length === 0) throw new ConfigError(`no organisation with id ${orgId}`);
        return verifyAuditChain(db, orgId);
      });
      if (options.json) print(JSON.stringify(verdict));
      else if (verdict.intact) print(`audit log of ${orgId} intact: ${verdict.entries} entries, head ${verdict.headHash}`);
      else process.stderr.write(`arkiv: audit log of ${orgId} broken at entry ${verdict.brokenSeq}: ${verdict.reason}\n`);
      if (!verdict.intact) process.exitCode = 1;
    });

  return program;
}

/** Runs the admin CLI; configuration mistakes end with a one-line message naming the variable. */
/** A backup or restore that cannot go ahead is one clear line, like a configuration error. */
async function backupOrExplain<T>(run: () => Promise<T>): Promise<T> {
  const { BackupError } = await import('./backup/backup-layout.js');
  try {
    return await run();
  } catch (error) {
    if (error instanceof BackupError) throw new ConfigError(error.message);
    throw error;
  }
}

export async function runAdminCli(argv: string[]): Promise<void> {
  try {
    await buildAdminCli().parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Commander already printed the usage problem (or the help asked for).
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    if (error instanceof ConfigError) {
      process.stderr.write(`arkiv: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}
