import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ed25519KeysOf, verifyArchive } from '@arkiv/client/evidence';
import { addUser, json, login, type LoggedIn } from '../accounts/account-test-helpers.js';
import { htmlBytes, pdfBytes, sampleFields, uploadForm, type UploadFields } from '../test/fixtures.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { createShare, isForeignKeyViolation } from './shares.js';

const PUBLIC_URL = 'https://arkiv.example.test';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const inHours = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();
const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

for (const dialect of testDialects) {
  describe(`share links (${dialect})`, () => {
    let server: TestServer;
    let admin: LoggedIn;
    let work: string;
    before(async () => {
      server = await startTestServer(dialect, { ARKIV_PUBLIC_URL: PUBLIC_URL });
      admin = await login(server, await addUser(server, 'admin'));
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-shares-'));
    });
    after(async () => {
      await server.stop();
      fs.rmSync(work, { recursive: true, force: true });
    });

    const upload = async (fields: Partial<UploadFields>, files?: { html?: Buffer | null; pdf?: Buffer | null }) => {
      const response = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.upload}` }, body: uploadForm(sampleFields(fields), files) });
      assert.equal(response.status, 201, await response.clone().text());
      return (await json(response)).id as string;
    };
    const share = (body: unknown, headers: Record<string, string> = admin.headers(true)) =>
      fetch(`${server.url}/api/orgs/${server.orgId}/shares`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = async (reports: string[], extra: Record<string, unknown> = {}) => {
      const response = await share({ reports, expiresAt: inHours(24), note: 'for the auditor', ...extra });
      assert.equal(response.status, 201, await response.clone().text());
      return (await json(response)) as { id: string; url: string; expiresAt: string };
    };
    const open = (token: string, suffix = '') => fetch(`${server.url}/api/shares/${encodeURIComponent(token)}${suffix}`);
    const listShares = async () => (await json(await fetch(`${server.url}/api/orgs/${server.orgId}/shares`, { headers: admin.headers() }))).shares as any[];
    const shareRows = async () => Number((await server.ctx.db.selectFrom('shares').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const seedList = async (projectName: string) =>
      (await json(await fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0&projectName=${encodeURIComponent(projectName)}`))).reports as Array<{ id: string }>;
    const download = async (response: Response, name: string) => {
      assert.equal(response.status, 200);
      const file = path.join(work, name);
      fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      return file;
    };

    it('stores only the hash of a link that shows anyone exactly the shared reports, in the seed list shape', async () => {
      const ids = [await upload({ projectName: 'Shared product', projectVersion: '1.0.0' }), await upload({ projectName: 'Shared product', projectVersion: '2.0.0', securityRating: 'C', vulnerabilitiesCount: 4 })];
      await upload({ projectName: 'Shared product', projectVersion: '3.0.0' });
      const link = await created([ids[1]!, ids[0]!]);
      assert.match(link.url, /^https:\/\/arkiv\.example\.test\/share\/[A-Za-z0-9_-]{43}$/);
      const hours = (Date.parse(link.expiresAt) - Date.now()) / HOUR;
      assert.ok(hours > 23.9 && hours <= 24, `expires in ${hours} hours`);
      const stored = await server.ctx.db.selectFrom('shares').select(['token_hash', 'note']).where('id', '=', link.id).executeTakeFirstOrThrow();
      assert.equal(stored.token_hash, crypto.createHash('sha256').update(tokenOf(link.url)).digest('hex'), 'only the SHA-256 of the token is stored');
      assert.equal(stored.note, 'for the auditor');

      // The organisation even requires read tokens: the link is the credential.
      await server.ctx.db.updateTable('organizations').set({ require_read_token: 1 }).where('id', '=', server.orgId).execute();
      try {
        const response = await open(tokenOf(link.url));
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        const body = await json(response);
        const seed = await json(await fetch(`${server.url}/security/report/list?org=${server.orgId}&minver=0&projectName=Shared%20product`, { headers: { authorization: `Bearer ${server.tokens.read}` } }));
        const byId = new Map(seed.reports.map((r: { id: string }) => [r.id, r]));
        assert.deepEqual(body, { organizationId: server.orgId, organizationName: 'Test organisation', expiresAt: link.expiresAt, reports: [byId.get(ids[1]), byId.get(ids[0])] });
        assert.ok(!JSON.stringify(body).includes('for the auditor'), 'the note is for administrators only');
      } finally {
        await server.ctx.db.updateTable('organizations').set({ require_read_token: 0 }).where('id', '=', server.orgId).execute();
      }
    });

    it('downloads the very archive /security/report/files makes, which the client verifier accepts, and single shared files', async () => {
      const pdf = pdfBytes('shared zip');
      const ids = [await upload({ projectName: 'Zip product', projectVersion: '1.0.0' }, { html: htmlBytes('shared zip'), pdf }), await upload({ projectName: 'Zip product', projectVersion: '1.1.0' })];
      const other = await upload({ projectName: 'Zip product', projectVersion: '9.0.0' });
      const token = tokenOf((await created(ids)).url);
      const realNow = server.ctx.now;
      const frozen = Date.now();
      server.ctx.now = () => frozen;
      let viaShare: string;
      let viaSeed: string;
      try {
        viaShare = await download(await open(token, '/files'), 'share.zip');
        const query = ids.map((id) => `reports=${id}`).join('&');
        viaSeed = await download(await fetch(`${server.url}/security/report/files?org=${server.orgId}&${query}`), 'seed.zip');
      } finally {
        server.ctx.now = realNow;
      }
      assert.deepEqual(fs.readFileSync(viaShare), fs.readFileSync(viaSeed), 'byte for byte the archive of the read API at the same instant');
      const jwks = await (await fetch(`${server.url}/.well-known/jwks.json?org=${server.orgId}`)).text();
      const verdict = await verifyArchive(viaShare, async () => ed25519KeysOf(jwks, 'test JWKS'));
      assert.deepEqual(verdict.problems, []);
      assert.equal(verdict.manifest.organizationId, server.orgId);
      assert.equal(verdict.files, 6, 'HTML, PDF and findings.sarif of each shared report');

      const file = await open(token, `/reports/${ids[0]}/files/pdf`);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'application/pdf');
      assert.match(file.headers.get('content-disposition') ?? '', /^attachment;/);
      assert.deepEqual(Buffer.from(await file.arrayBuffer()), pdf);
      assert.equal((await open(token, `/reports/${other}/files/pdf`)).status, 404, 'a report of the organisation the share does not hold');
      assert.equal((await open(token, `/reports/${crypto.randomUUID()}/files/html`)).status, 404);

      // The audit log names the link, not a person, for the archive and the single file alike.
      const shareId = (await server.ctx.db.selectFrom('shares').select('id').where('token_hash', '=', crypto.createHash('sha256').update(token).digest('hex')).executeTakeFirstOrThrow()).id;
      const viaLink = async () => server.ctx.db.selectFrom('audit_log').select(['details']).where('action', '=', 'report.download').where('actor_kind', '=', 'share').where('actor_id', '=', shareId).execute();
      for (let i = 0; i < 200 && (await viaLink()).length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const formats = (await viaLink()).map((row) => JSON.parse(row.details).format).sort();
      assert.deepEqual(formats, ['pdf', 'zip'], 'one entry for the ZIP and one for the PDF, both by the share link');
    });

    it('refuses reports of other organisations, unknown reports, past or too distant expiries and bad notes, storing nothing', async () => {
      const mine = await upload({ projectName: 'Validated product' });
      const other = await server.addOrganization('Other organisation');
      const theirs = (await json(await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${other.adminToken}` }, body: uploadForm(sampleFields()) }))).id as string;
      const before = await shareRows();
      const unknown = crypto.randomUUID();
      const refused = await share({ reports: [mine, theirs, unknown], expiresAt: inHours(1) });
      assert.equal(refused.status, 400);
      const problem = await json(refused);
      assert.equal(problem.code, 'unknown_report');
      assert.deepEqual(problem.details.reports.sort(), [theirs, unknown].sort());
      for (const [expiresAt, message] of [
        [inHours(-1), /future/],
        [new Date(Date.now() + 91 * DAY).toISOString(), /at most 90 days/],
      ] as const) {
        const response = await share({ reports: [mine], expiresAt });
        assert.equal(response.status, 400);
        const body = await json(response);
        assert.equal(body.code, 'invalid_expiry');
        assert.match(body.message, message);
      }
      for (const body of [{ reports: [], expiresAt: inHours(1) }, { reports: [mine], expiresAt: 'tomorrow' }, { reports: [mine], expiresAt: inHours(1), note: 'bell \u0007' }, { reports: [mine] }, { reports: ['not-a-uuid'], expiresAt: inHours(1) }]) {
        const response = await share(body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal((await json(response)).code, 'invalid_parameter');
      }
      const member = await login(server, await addUser(server, 'member'));
      assert.equal((await share({ reports: [mine], expiresAt: inHours(1) }, member.headers(true))).status, 403);
      assert.equal((await share({ reports: [mine], expiresAt: inHours(1) }, { authorization: `Bearer ${server.tokens.upload}` })).status, 403);
      assert.equal(await shareRows(), before);
      // 89 days and some is within the limit; duplicates and upper-case ids name the same report once.
      const ok = await created([mine, mine.toUpperCase()], { expiresAt: new Date(Date.now() + 89.9 * DAY).toISOString() });
      assert.deepEqual((await listShares()).find((s) => s.id === ok.id).reports, [mine]);
    });

    it('answers 404 for unknown links, 410 share_expired once expired and 410 share_revoked once revoked', async () => {
      for (const token of [crypto.randomBytes(32).toString('base64url'), 'x', '..', '%00']) {
        for (const suffix of ['', '/files']) {
          const response = await open(token, suffix);
          assert.equal(response.status, 404, `${token}${suffix}`);
          assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        }
      }
      const id = await upload({ projectName: 'Expiring product' });
      const shortLived = await created([id], { expiresAt: inHours(1) });
      assert.equal((await open(tokenOf(shortLived.url))).status, 200);
      const realNow = server.ctx.now;
      server.ctx.now = () => Date.now() + 2 * HOUR;
      try {
        for (const suffix of ['', '/files', `/reports/${id}/files/pdf`]) {
          const response = await open(tokenOf(shortLived.url), suffix);
          assert.equal(response.status, 410, suffix);
          assert.equal((await json(response)).code, 'share_expired');
        }
        assert.equal((await listShares()).find((s) => s.id === shortLived.id).status, 'expired');
      } finally {
        server.ctx.now = realNow;
      }

      const revoked = await created([id]);
      const revoke = (shareId: string, orgId = server.orgId) => fetch(`${server.url}/api/orgs/${orgId}/shares/${shareId}`, { method: 'DELETE', headers: admin.headers(true) });
      assert.equal((await revoke(revoked.id)).status, 204);
      for (const suffix of ['', '/files', `/reports/${id}/files/html`]) {
        const response = await open(tokenOf(revoked.url), suffix);
        assert.equal(response.status, 410, suffix);
        assert.equal((await json(response)).code, 'share_revoked');
      }
      const listed = (await listShares()).find((s) => s.id === revoked.id);
      assert.equal(listed.status, 'revoked');
      assert.ok(listed.revokedAt);
      assert.equal((await revoke(revoked.id)).status, 204, 'revoking twice is harmless');
      assert.equal((await listShares()).find((s) => s.id === revoked.id).revokedAt, listed.revokedAt, 'and keeps the first time');
      assert.equal((await revoke(crypto.randomUUID())).status, 404);
    });

    it('counts every access atomically and says who created the share', async () => {
      const id = await upload({ projectName: 'Counted product' });
      const link = await created([id], { note: 'counted' });
      const token = tokenOf(link.url);
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => open(token, i % 3 === 0 ? '/files' : '').then(async (r) => (await r.arrayBuffer(), r.status))));
      assert.deepEqual(statuses, Array(12).fill(200));
      assert.equal((await open(token, `/reports/${id}/files/html`)).status, 200);
      const listed = (await listShares()).find((s) => s.id === link.id);
      assert.equal(listed.accessCount, 13);
      assert.equal(listed.downloadCount, 5);
      assert.ok(Date.now() - Date.parse(listed.lastAccessAt) < 60_000);
      assert.equal(listed.note, 'counted');
      assert.equal(listed.status, 'active');
      assert.equal(listed.createdBy.kind, 'user');
      assert.match(listed.createdBy.name, /@example\.test$/);
      assert.deepEqual(listed.reports, [id]);
      assert.equal((await open(token, `/reports/${crypto.randomUUID()}/files/html`)).status, 404);
      assert.equal((await listShares()).find((s) => s.id === link.id).accessCount, 13, 'a file the share does not hold counts nothing');

      const byToken = await json(await share({ reports: [id], expiresAt: inHours(1) }, { authorization: `Bearer ${server.tokens.admin}` }));
      const tokenShare = (await listShares()).find((s) => s.id === byToken.id);
      assert.deepEqual([tokenShare.createdBy.kind, tokenShare.createdBy.name, tokenShare.note, tokenShare.accessCount, tokenShare.lastAccessAt], ['token', 'test admin', '', 0, null]);
    });

    it('drops a report deleted after sharing from the list, the archive and the share', async () => {
      const kept = await upload({ projectName: 'Deleted product', projectVersion: '1.0.0' });
      const doomed = await upload({ projectName: 'Deleted product', projectVersion: '2.0.0' });
      const link = await created([kept, doomed]);
      const deleted = await fetch(`${server.url}/security/report/${doomed}?org=${server.orgId}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(deleted.status, 204);
      const body = await json(await open(tokenOf(link.url)));
      assert.deepEqual(body.reports, await seedList('Deleted product'));
      assert.deepEqual(body.reports.map((r: { id: string }) => r.id), [kept]);
      const zip = await download(await open(tokenOf(link.url), '/files'), 'after-delete.zip');
      const jwks = await (await fetch(`${server.url}/.well-known/jwks.json?org=${server.orgId}`)).text();
      const verdict = await verifyArchive(zip, async () => ed25519KeysOf(jwks, 'test JWKS'));
      assert.deepEqual(verdict.problems, []);
      assert.equal(verdict.files, 3, 'HTML, PDF and findings.sarif of the report left');
      assert.deepEqual((await listShares()).find((s) => s.id === link.id).reports, [kept]);
      assert.equal((await open(tokenOf(link.url), `/reports/${doomed}/files/pdf`)).status, 404);
    });

    it('keeps a share working when the account that created it is deleted, without its creator', async () => {
      const id = await upload({ projectName: 'Orphaned product' });
      const leaving = await addUser(server, 'admin');
      const session = await login(server, leaving);
      const link = (await json(await share({ reports: [id], expiresAt: inHours(1), note: 'orphan' }, session.headers(true)))) as { id: string; url: string };
      assert.equal((await listShares()).find((s) => s.id === link.id).createdBy.name, leaving.email);
      const deleted = await fetch(`${server.url}/api/auth/me`, { method: 'DELETE', headers: { ...session.headers(true), 'content-type': 'application/json' }, body: JSON.stringify({ password: leaving.password }) });
      assert.equal(deleted.status, 204);
      assert.equal((await listShares()).find((s) => s.id === link.id).createdBy, null);
      assert.equal((await open(tokenOf(link.url))).status, 200);
    });

    it('stores no share naming a report that is gone (the race between the check and the insert), nor any of its rows', async () => {
      const id = await upload({ projectName: 'Raced product' });
      const before = await shareRows();
      const now = Date.now();
      const attempt = createShare(server.ctx.db, { orgId: server.orgId, reportIds: [id, crypto.randomUUID()], note: '', expiresAt: now + HOUR, createdBy: { userId: null, tokenId: null }, now });
      const error = await attempt.then(() => undefined, (caught: unknown) => caught);
      assert.ok(isForeignKeyViolation(error), `a foreign-key violation: ${String(error)}`);
      assert.equal(await shareRows(), before, 'the share row rolled back with its reports');
    });
  });
}

describe('share links under a read rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite', { ARKIV_READ_RATE_LIMIT: '3' });
  });
  after(() => server.stop());

  it('answers 429 rate_limited past the limit per address, unknown links included', async () => {
    const token = crypto.randomBytes(32).toString('base64url');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${server.url}/api/shares/${token}`)).status);
    assert.deepEqual(statuses, [404, 404, 404, 429]);
    const limited = await fetch(`${server.url}/api/shares/${token}/files`);
    assert.equal(limited.status, 429);
    assert.equal((await json(limited)).code, 'rate_limited');
  });
});
