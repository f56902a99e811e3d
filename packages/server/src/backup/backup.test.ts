import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createApiToken } from '../accounts/tokens.js';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { createOrganization } from '../orgs/org-store.js';
import { orgSigner } from '../signing/org-signer.js';
import { htmlBytes, pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';
import { startServeProcess, type ServeProcess } from '../test/serve-process.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const SECRET = 'test-secret-key-test-secret-key-0123456789';

/** Runs `arkiv <args>` to its end; resolves with its exit code and everything it printed. */
function runArkiv(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=arkiv-source', '--import', 'tsx', MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface Uploaded {
  id: string;
  html: Buffer;
  pdf: Buffer;
  /** performance.now() when its 201 arrived. */
  at: number;
}

const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

for (const dialect of testDialects) {
  describe(`arkiv backup and restore (${dialect})`, () => {
    let source: TestDatabase;
    let target: TestDatabase;
    let serve: ServeProcess | undefined;
    let dir: string;

    before(async () => {
      [source, target] = [await createTestDatabase(dialect), await createTestDatabase(dialect)];
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-backup-'));
    });
    after(async () => {
      serve?.child.kill('SIGKILL');
      await serve?.exited;
      await source.drop();
      await target.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a backup taken during uploads restores every report that got a 201 before it started, byte-identical', { timeout: 240_000 }, async () => {
      const envOf = (database: TestDatabase) => ({
        ...process.env,
        ARKIV_DATA_DIR: database.dataDir,
        ARKIV_SECRET_KEY: '',
        ARKIV_LOG_LEVEL: 'warn',
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      });
      // The generated secret.key of the data dir travels with the backup.
      const setup = await createContext(loadConfig({ ...envOf(source), ARKIV_LOG_LEVEL: 'silent' }));
      const org = await createOrganization(setup.db, { name: 'Backed up' });
      const token = (await createApiToken(setup.db, { orgId: org.id, name: 'backup test', scopes: ['upload'] })).token;
      // The organisation's signing key, sealed with the data dir's secret key.
      const { kid } = await orgSigner(setup, org.id);
      await setup.database.close();
      serve = await startServeProcess(['serve'], { ...envOf(source), ARKIV_HOST: '127.0.0.1', ARKIV_PORT: '0' });

      const uploaded: Uploaded[] = [];
      let stop = false;
      let n = 0;
      const lane = async () => {
        while (!stop) {
          const i = n++;
          const html = htmlBytes(`Report ${i} ${crypto.randomBytes(6).toString('hex')}`);
          const pdf = pdfBytes(`Report ${i}`, crypto.randomBytes(20_000 + (i % 7) * 50_000));
          const response = await fetch(`${serve!.url}/security/report`, {
            method: 'POST', headers: { authorization: `Bearer ${token}` }, body: uploadForm(sampleFields({ projectName: `Product ${i}` }), { html, pdf }),
          });
          assert.equal(response.status, 201);
          uploaded.push({ id: ((await response.json()) as { id: string }).id, html, pdf, at: performance.now() });
        }
      };
      const lanes = [lane(), lane()];
      while (uploaded.length < 6) await new Promise((resolve) => setTimeout(resolve, 20));
      const backupStarted = performance.now();
      const backupDir = path.join(dir, 'backup');
      const backedUp = await runArkiv(['backup', '--to', backupDir], envOf(source));
      const duringBackup = uploaded.filter((u) => u.at > backupStarted).length;
      stop = true;
      await Promise.all(lanes);
      assert.equal(backedUp.code, 0, backedUp.output);
      assert.match(backedUp.output, /backup of \d+ reports and \d+ blobs/);
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0);
      serve = undefined;
      const before = uploaded.filter((u) => u.at < backupStarted);
      console.log(`# ${dialect}: ${before.length} reports stored before the backup started, ${duringBackup} more while it ran, ${uploaded.length} in all`);

      // Into a fresh installation; a second restore over it is refused without --force.
      const restored = await runArkiv(['restore', '--from', backupDir], envOf(target));
      assert.equal(restored.code, 0, restored.output);
      const again = await runArkiv(['restore', '--from', backupDir], envOf(target));
      assert.equal(again.code, 2);
      assert.match(again.output, /^arkiv: .*--force/m);
      assert.doesNotMatch(again.output, /\n\s+at /, 'one line, no stack trace');
      const forced = await runArkiv(['restore', '--from', backupDir, '--force'], envOf(target));
      assert.equal(forced.code, 0, forced.output);

      const ctx = await createContext(loadConfig({ ...envOf(target), ARKIV_LOG_LEVEL: 'silent' }));
      try {
        for (const report of before) {
          const files = await ctx.db.selectFrom('report_files').select(['kind', 'blob_key', 'sha256']).where('report_id', '=', report.id).execute();
          assert.equal(files.length, 2, `report ${report.id} (201 before the backup) is restored`);
          for (const file of files) {
            const expected = file.kind === 'pdf' ? report.pdf : report.html;
            assert.equal(file.sha256, sha256(expected));
            const chunks: Buffer[] = [];
            for await (const chunk of ctx.blobs.read(file.blob_key)) chunks.push(chunk as Buffer);
            assert.ok(Buffer.concat(chunks).equals(expected), `${file.kind} of ${report.id} is byte-identical`);
          }
        }
        // The restored installation's secret key opens what the old one sealed: the same signing key.
        assert.equal((await orgSigner(ctx, org.id)).kid, kid);
      } finally {
        await ctx.database.close();
      }
    });

    it('refuses a directory that is not empty, and a restore from a directory that is no backup, in one line', async () => {
      const env = { ...process.env, ARKIV_DATA_DIR: source.dataDir, ARKIV_SECRET_KEY: SECRET, ARKIV_LOG_LEVEL: 'silent', ...(source.databaseUrl ? { DATABASE_URL: source.databaseUrl } : {}) };
      const full = fs.mkdtempSync(path.join(dir, 'full-'));
      fs.writeFileSync(path.join(full, 'something'), 'x');
      const refused = await runArkiv(['backup', '--to', full], env);
      assert.equal(refused.code, 2);
      assert.match(refused.output, /^arkiv: .* is not empty/m);
      const notBackup = await runArkiv(['restore', '--from', full], env);
      assert.equal(notBackup.code, 2);
      assert.match(notBackup.output, /^arkiv: .*holds no Arkiv backup/m);
    });
  });
}
