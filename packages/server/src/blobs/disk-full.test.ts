import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testDialects } from '../test/test-database.js';
import { pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';
import { startServeProcess } from '../test/serve-process.js';

const MiB = 1024 * 1024;
const GRACE_S = 3;

/** A small tmpfs for the data directory (root only); undefined where mounting is not permitted. */
function mountSmallDisk(sizeMiB: number): { dir: string; unmount(): void } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const disk = mountSmallDisk(1);
if (disk) disk.unmount();

for (const dialect of testDialects) {
  describe(`a full data disk while serving (${dialect})`, { skip: disk ? false : 'mounting a tmpfs needs root' }, () => {
    it('answers 507 insufficient_storage naming the data directory, keeps earlier reports and answering, and SIGTERM exits within the grace period', async () => {
      const small = mountSmallDisk(48)!;
      const database = await createTestDatabase(dialect);
      const dataDir = path.join(small.dir, 'data');
      const serve = await startServeProcess(['serve'], {
        ...process.env,
        ARKIV_PORT: '0',
        ARKIV_DATA_DIR: dataDir,
        ARKIV_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
        ARKIV_LOG_LEVEL: 'warn',
        ARKIV_SHUTDOWN_GRACE_S: String(GRACE_S),
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      }).catch(async (error: unknown) => {
        await database.drop();
        small.unmount();
        throw error;
      });
      const { child, url } = serve;
      try {
        const token = /Admin token:\s+(\S+)/.exec(serve.output())![1]!;
        const orgId = /Organisation ID: (\S+)/.exec(serve.output())![1]!;
        const auth = { authorization: `Bearer ${token}` };
        const upload = (i: number) =>
          fetch(`${url}/security/report`, {
            method: 'POST',
            headers: auth,
            body: uploadForm(sampleFields({ projectName: `Filler ${i}` }), { pdf: pdfBytes(`filler ${i}`, Buffer.alloc(9 * MiB, i)) }),
          });

        const stored: string[] = [];
        let full: Response | undefined;
        for (let i = 0; i < 12 && !full; i += 1) {
          const response = await upload(i);
          if (response.status === 201) stored.push(((await response.json()) as { id: string }).id);
          else full = response;
        }
        assert.ok(full, 'the disk filled');
        assert.ok(stored.length >= 2, `${stored.length} uploads fit before the disk filled`);
        assert.equal(full.status, 507);
        assert.match(full.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const problem = (await full.json()) as { code: string; message: string };
        assert.equal(problem.code, 'insufficient_storage');
        assert.ok(problem.message.includes(dataDir), problem.message);

        // Still answering: the next upload gets the same clear answer, and reads work.
        assert.equal((await upload(99)).status, 507);
        const list = await fetch(`${url}/security/report/list?org=${orgId}&minver=0`, { headers: auth });
        assert.equal(list.status, 200);
        assert.equal(((await list.json()) as { reports: unknown[] }).reports.length, stored.length);
        const files = await fetch(`${url}/security/report/files?org=${orgId}&${stored.map((id) => `reports=${id}`).join('&')}`, { headers: auth });
        assert.equal(files.status, 200);
        assert.ok((await files.arrayBuffer()).byteLength > stored.length * 9 * MiB, 'earlier reports are intact');

        // A client that stops sending mid-upload holds its request open: shutdown must not wait for it.
        const { port } = new URL(url);
        const stalled = net.connect(Number(port), '127.0.0.1');
        stalled.on('error', () => {});
        stalled.write(`POST /security/report HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000000\r\n\r\n--b\r\nContent-Disposition: form-data; name="pdf"; filename="a.pdf"\r\n\r\n%PDF-1.7\n`);
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        const started = Date.now();
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), (GRACE_S + 20) * 1000);
        const code = await serve.exited;
        clearTimeout(timer);
        await database.drop();
        small.unmount();
        assert.ok(Date.now() - started < (GRACE_S + 5) * 1000, `SIGTERM took ${Date.now() - started} ms; ${serve.output().slice(-2000)}`);
        console.log(`# ${dialect}: SIGTERM after a full disk: exited with ${code} in ${Date.now() - started} ms (grace ${GRACE_S} s)`);
        assert.equal(code, 0, `exited cleanly by itself; ${serve.output().slice(-2000)}`);
      }
    });
  });
}
