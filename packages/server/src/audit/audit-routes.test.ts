import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { addUser, json, login, postLogin, type LoggedIn } from '../accounts/account-test-helpers.js';
import { pdfBytes, sampleFields, uploadForm } from '../test/fixtures.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';
import { verifyAuditChain } from './audit-verify.js';
import { newLinkToken } from '../accounts/link-tokens.js';
import { storePasswordReset } from '../accounts/password-resets.js';
import { resetUserPassword } from '../accounts/user-admin.js';
import { applySsoRoles } from '../accounts/sso-settings.js';
import type { AuditEntryView } from './audit-query.js';
import { canonicalJson } from './audit-chain.js';

for (const dialect of testDialects) {
  describe(`audit log over HTTP (${dialect})`, () => {
    let server: TestServer;
    let owner: LoggedIn;
    let ownerId: string;
    before(async () => {
      server = await startTestServer(dialect);
      const user = await addUser(server, 'owner');
      ownerId = user.id;
      owner = await login(server, user);
    });
    after(() => server.stop());

    const adminHeaders = () => ({ authorization: `Bearer ${server.tokens.admin}` });
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = adminHeaders()) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : body instanceof FormData ? body : JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const audit = (query = '', headers: Record<string, string> = adminHeaders()) => fetch(`${server.url}/api/orgs/${server.orgId}/audit${query}`, { headers });
    const entries = async (query = ''): Promise<AuditEntryView[]> => {
      const response = await audit(query);
      assert.equal(response.status, 200, await response.clone().text());
      return (await json(response)).entries;
    };
    /** Downloads are recorded once the response has ended: wait for the entry rather than guess a delay. */
    const eventually = async <T>(probe: () => Promise<T | undefined>): Promise<T> => {
      for (let i = 0; i < 200; i++) {
        const found = await probe();
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the audit entry never appeared');
    };
    const downloadsOf = async (reportId: string) => (await entries('?action=report.download&limit=500')).filter((e) => (e.details.reportIds as string[]).includes(reportId));

    it('records every kind of change with its actor, each verifiable, in one intact chain', async () => {
      const tokenId = (await call('POST', `/api/orgs/${server.orgId}/tokens`, { name: 'audited', scopes: ['read'] })).id;
      await call('DELETE', `/api/orgs/${server.orgId}/tokens/${tokenId}`);
      const uploaded = await call('POST', '/security/report', uploadForm(sampleFields({ projectName: 'audited project' })));
      await call('POST', '/security/report', uploadForm(sampleFields({ projectName: 'audited project' })));
      await call('DELETE', `/security/report/${uploaded.id}`);
      const member = await addUser(server, null);
      await call('POST', `/api/orgs/${server.orgId}/members`, { email: member.email, role: 'member' });
      await call('PATCH', `/api/orgs/${server.orgId}/members/${member.id}`, { role: 'admin' });
      await call('DELETE', `/api/orgs/${server.orgId}/members/${member.id}`);
      const webhook = await call('POST', `/api/orgs/${server.orgId}/webhooks`, { url: 'http://127.0.0.1:9/audited' });
      await call('PATCH', `/api/orgs/${server.orgId}/webhooks/${webhook.id}`, { description: 'changed' });
      await call('POST', `/api/orgs/${server.orgId}/webhooks/${webhook.id}/disable`);
      await call('POST', `/api/orgs/${server.orgId}/webhooks/${webhook.id}/secret/rotate`, {});
      await call('DELETE', `/api/orgs/${server.orgId}/webhooks/${webhook.id}`);
      const connection = await call('POST', `/api/orgs/${server.orgId}/integrations/nexus-iq`, { name: 'audited IQ' });
      await call('PATCH', `/api/orgs/${server.orgId}/integrations/nexus-iq/${connection.id}`, { rotateSecret: true });
      await call('DELETE', `/api/orgs/${server.orgId}/integrations/nexus-iq/${connection.id}`);
      await call('POST', `/api/orgs/${server.orgId}/signing-keys/rotate`, {}, owner.headers(true));
      const revoked = await call('POST', `/api/orgs/${server.orgId}/invitations`, { email: `revoked-${crypto.randomUUID()}@example.test`, role: 'member' });
      await call('DELETE', `/api/orgs/${server.orgId}/invitations/${revoked.id}`);
      const inviteeEmail = `invitee-${crypto.randomUUID()}@example.test`;
      const invitation = await call('POST', `/api/orgs/${server.orgId}/invitations`, { email: inviteeEmail, role: 'member' });
      const accepted = await call('POST', `/api/invitations/${invitation.url.split('/').pop()}/accept`, { password: 'a long enough password' }, {});
      const leaver = { ...(await addUser(server, 'member')) };
      assert.equal((await postLogin(server, leaver.email, 'not the password')).status, 401);
      const leaverSession = await login(server, leaver);
      const gone = await fetch(`${server.url}/api/auth/me`, { method: 'DELETE', headers: { ...leaverSession.headers(true), 'content-type': 'application/json' }, body: JSON.stringify({ password: leaver.password }) });
      assert.equal(gone.status, 204);

      const log = (await entries('?limit=500')).reverse();
      const actions = log.map((e) => e.action);
      const tokenActor = { kind: 'token', id: (await server.ctx.db.selectFrom('api_tokens').select('id').where('name', '=', 'test admin').executeTakeFirstOrThrow()).id, label: null };
      const find = (action: string, where: (e: AuditEntryView) => boolean = () => true) => {
        const found = log.find((e) => e.action === action && where(e));
        assert.ok(found, `no ${action} entry in ${actions.join(', ')}`);
        return found;
      };
      assert.deepEqual(find('token.create').details, { tokenId, name: 'audited', scopes: ['read'] });
      assert.deepEqual(find('token.create').actor, tokenActor);
      assert.equal(find('token.create').address, '127.0.0.1');
      assert.deepEqual(find('token.revoke').details, { tokenId });
      assert.equal(find('report.upload').details.reportId, uploaded.id);
      assert.equal(find('report.replace').details.reportId, uploaded.id);
      assert.deepEqual(find('report.delete').actor, tokenActor);
      assert.deepEqual(find('member.add').details, { userId: member.id, email: member.email, role: 'member', accountCreated: false });
      assert.deepEqual(find('member.role_change').details, { userId: member.id, from: 'member', to: 'admin', tokensRevoked: 0 });
      assert.deepEqual(find('member.remove').details, { userId: member.id, role: 'admin', tokensRevoked: 0 });
      assert.equal(find('webhook.create').details.url, 'http://127.0.0.1:9/audited');
      assert.deepEqual(find('webhook.update', (e) => e.details.enabled === false).details.changed, ['enabled']);
      assert.deepEqual(find('webhook.update', (e) => e.details.enabled === undefined).details.changed, ['description']);
      assert.equal(find('webhook.secret_rotate').details.webhookId, webhook.id);
      assert.equal(find('webhook.delete').details.url, 'http://127.0.0.1:9/audited');
      assert.equal(find('integration.create').details.connectionId, connection.id);
      assert.equal(find('integration.update').details.secretRotated, true);
      assert.equal(find('integration.delete').details.kind, 'nexus-iq');
      assert.deepEqual(find('signing_key.rotate').actor, { kind: 'user', id: ownerId, label: (await server.ctx.db.selectFrom('users').select('email').where('id', '=', ownerId).executeTakeFirstOrThrow()).email });
      assert.equal(find('invitation.revoke').details.invitationId, revoked.id);
      assert.deepEqual(find('invitation.accept').actor, { kind: 'user', id: accepted.user.id, label: inviteeEmail });
      assert.equal(find('auth.login', (e) => e.actor.id === leaver.id).address, '127.0.0.1');
      const failed = await eventually(async () => (await entries('?action=auth.login_failed')).find((e) => e.actor.id === leaver.id));
      assert.deepEqual(failed.details, { method: 'password' });
      assert.deepEqual(find('account.delete').details, { userId: leaver.id, email: leaver.email, role: 'member' });
      assert.deepEqual(find('account.delete').actor, { kind: 'user', id: leaver.id, label: leaver.email });

      // Every entry is the canonical serialisation's SHA-256, linked to the one before.
      const all = (await entries('?limit=500')).reverse();
      all.forEach((e, i) => {
        assert.equal(e.seq, i + 1);
        if (i > 0) assert.equal(e.prevHash, all[i - 1]!.hash);
        const recomputed = canonicalJson({ v: 1, org: server.orgId, seq: e.seq, at: Date.parse(e.at), action: e.action, actor: e.actor, address: e.address, details: e.details as never, prev: e.prevHash });
        assert.equal(crypto.createHash('sha256').update(recomputed).digest('hex'), e.hash);
      });
      assert.equal((await verifyAuditChain(server.ctx.db, server.orgId)).intact, true);
    });

    it('records password changes and resets, organisation settings, secret reveals, SSO role mapping and SARIF exports with their actor', async () => {
      const tokenActor = { kind: 'token', id: (await server.ctx.db.selectFrom('api_tokens').select('id').where('name', '=', 'test admin').executeTakeFirstOrThrow()).id, label: null };
      const newest = async (action: string) => (await entries(`?action=${action}&limit=1`))[0];
      const changer = await addUser(server, 'member');
      const changerSession = await login(server, changer);
      const changed = await fetch(`${server.url}/api/auth/password`, { method: 'POST', headers: { ...changerSession.headers(true), 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: changer.password, newPassword: 'another long enough password' }) });
      assert.equal(changed.status, 204);
      const change = (await newest('account.password_change'))!;
      assert.deepEqual([change.actor, change.address, change.details], [{ kind: 'user', id: changer.id, label: changer.email }, '127.0.0.1', { userId: changer.id, sessionsEnded: 0 }]);

      const link = newLinkToken();
      await storePasswordReset(server.ctx.db, { userId: changer.id, tokenHash: link.hash, now: Date.now() });
      const reset = await fetch(`${server.url}/api/auth/password-reset/${link.token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ newPassword: 'a third long enough password' }) });
      assert.equal(reset.status, 204);
      const viaLink = (await newest('account.password_reset'))!;
      assert.deepEqual([viaLink.actor, viaLink.details], [{ kind: 'user', id: changer.id, label: changer.email }, { userId: changer.id, via: 'link', sessionsEnded: 1 }]);
      await resetUserPassword(server.ctx.db, { email: changer.email, now: Date.now() });
      const viaCli = (await newest('account.password_reset'))!;
      assert.deepEqual([viaCli.actor, viaCli.address, viaCli.details], [{ kind: 'system', id: null, label: 'cli' }, null, { userId: changer.id, email: changer.email, via: 'cli', sessionsEnded: 0 }]);

      await call('PATCH', `/api/orgs/${server.orgId}`, { name: 'Audited organisation' });
      assert.deepEqual(await newest('org.update').then((e) => [e!.actor, e!.details]), [tokenActor, { changed: ['name'], name: 'Audited organisation' }]);
      await call('PUT', `/api/orgs/${server.orgId}/mfa-policy`, { requireMfa: true });
      await call('PUT', `/api/orgs/${server.orgId}/mfa-policy`, { requireMfa: false });
      assert.deepEqual((await entries('?action=org.mfa_policy_update&limit=2')).map((e) => [e.actor, e.details]), [[tokenActor, { requireMfa: false }], [tokenActor, { requireMfa: true }]]);
      await call('PUT', `/api/orgs/${server.orgId}/sso`, { groupRoles: { 'arkiv-admins': 'admin' } });
      assert.deepEqual(await newest('org.sso_update').then((e) => [e!.actor, e!.details]), [tokenActor, { groupRoles: { 'arkiv-admins': 'admin' }, required: false, previous: { groupRoles: {}, required: false } }]);

      // An SSO sign-in whose groups give another role: the group map is the actor, in the change's transaction.
      await applySsoRoles(server.ctx.db, changer.id, ['arkiv-admins'], Date.now());
      const mapped = (await newest('member.role_change'))!;
      assert.deepEqual([mapped.actor, mapped.details], [{ kind: 'system', id: null, label: 'sso' }, { userId: changer.id, from: 'member', to: 'admin', tokensRevoked: 0, via: 'sso' }]);
      await applySsoRoles(server.ctx.db, changer.id, [], Date.now());
      assert.deepEqual((await newest('member.remove'))!.details, { userId: changer.id, role: 'admin', tokensRevoked: 0, via: 'sso' });
      await call('PUT', `/api/orgs/${server.orgId}/sso`, { groupRoles: {} });

      const webhook = await call('POST', `/api/orgs/${server.orgId}/webhooks`, { url: 'http://127.0.0.1:9/revealed' });
      await call('GET', `/api/orgs/${server.orgId}/webhooks/${webhook.id}/secret`);
      assert.deepEqual(await newest('webhook.secret_reveal').then((e) => [e!.actor, e!.details]), [tokenActor, { webhookId: webhook.id }]);

      const report = await call('POST', '/security/report', uploadForm(sampleFields({ projectName: 'exported as SARIF' })));
      const sarif = await fetch(`${server.url}/security/report/${report.id}/sarif?org=${server.orgId}`, { headers: adminHeaders() });
      assert.equal(sarif.status, 200);
      const sarifBytes = (await sarif.arrayBuffer()).byteLength;
      const exported = await eventually(async () => (await downloadsOf(report.id))[0]);
      assert.deepEqual([exported.actor, exported.details], [tokenActor, { reportIds: [report.id], format: 'sarif', size: null, bytes: sarifBytes, complete: true }]);
      assert.equal((await verifyAuditChain(server.ctx.db, server.orgId)).intact, true);
    });

    it('a refused change records nothing', async () => {
      const before = (await entries())[0]!.seq;
      const response = await fetch(`${server.url}/api/orgs/${server.orgId}/members/${ownerId}`, { method: 'PATCH', headers: { ...owner.headers(true), 'content-type': 'application/json' }, body: JSON.stringify({ role: 'member' }) });
      assert.equal(response.status, 409);
      assert.equal((await entries())[0]!.seq, before);
    });

    it('records downloads: the archive and a single file, by token, session or nobody, with the bytes sent', async () => {
      const report = await call('POST', '/security/report', uploadForm(sampleFields({ projectName: `downloaded ${crypto.randomUUID()}` })));
      const zip = await fetch(`${server.url}/security/report/files?org=${server.orgId}&reports=${report.id}`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
      const zipBytes = Buffer.from(await zip.arrayBuffer()).length;
      const pdf = await fetch(`${server.url}/api/orgs/${server.orgId}/reports/${report.id}/files/pdf`, { headers: owner.headers() });
      const pdfLength = Buffer.from(await pdf.arrayBuffer()).length;
      const recorded = await eventually(async () => {
        const found = await downloadsOf(report.id);
        return found.length === 2 ? found : undefined;
      });
      const byFormat = Object.fromEntries(recorded.map((e) => [e.details.format, e]));
      assert.deepEqual(byFormat.zip!.actor, { kind: 'anonymous', id: null, label: null });
      assert.deepEqual(byFormat.zip!.details, { reportIds: [report.id], format: 'zip', size: zipBytes, bytes: zipBytes, complete: true });
      assert.equal(byFormat.pdf!.actor.id, ownerId);
      assert.deepEqual(byFormat.pdf!.details, { reportIds: [report.id], format: 'pdf', size: pdfLength, bytes: pdfLength, complete: true });
    });

    it('records a download the client abandons midway, with the bytes it was sent', async () => {
      const big = pdfBytes('big', crypto.randomBytes(24 * 1024 * 1024));
      const report = await call('POST', '/security/report', uploadForm(sampleFields({ projectName: `abandoned ${crypto.randomUUID()}` }), { pdf: big }));
      const received = await new Promise<number>((resolve, reject) => {
        const request = http.get(`${server.url}/security/report/files?org=${server.orgId}&reports=${report.id}`, (response) => {
          let got = 0;
          response.on('data', (chunk: Buffer) => {
            got += chunk.length;
            if (got >= 1024 * 1024) {
              request.destroy();
              resolve(got);
            }
          });
        });
        request.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      });
      const [entry] = await eventually(async () => {
        const found = await downloadsOf(report.id);
        return found.length === 1 ? found : undefined;
      });
      const details = entry!.details as { bytes: number; size: number; complete: boolean };
      assert.equal(details.complete, false);
      assert.ok(details.size > big.length, `size ${details.size}`);
      assert.ok(details.bytes >= received && details.bytes < details.size, `bytes ${details.bytes}, received ${received}, size ${details.size}`);
    });

    it('filters by action, actor and time, pages by cursor, and exports NDJSON and CSV oldest first', async () => {
      for (let i = 0; i < 5; i++) await call('POST', `/api/orgs/${server.orgId}/tokens`, { name: `page ${i}`, scopes: ['read'] });
      const all = await entries('?limit=500');
      const creations = all.filter((e) => e.action === 'token.create');
      const first = await json(await audit('?action=token.create&limit=2'));
      assert.deepEqual(first.entries.map((e: AuditEntryView) => e.seq), creations.slice(0, 2).map((e) => e.seq));
      const second = await json(await audit(`?action=token.create&limit=2&cursor=${first.nextCursor}`));
      assert.deepEqual(second.entries.map((e: AuditEntryView) => e.seq), creations.slice(2, 4).map((e) => e.seq));

      const sessionEntries = await entries(`?actor=user:${ownerId.toUpperCase()}&limit=500`);
      assert.ok(sessionEntries.length > 0 && sessionEntries.every((e) => e.actor.id === ownerId));
      assert.ok((await entries('?actor=anonymous&limit=500')).every((e) => e.actor.kind === 'anonymous'));

      const middle = all[Math.floor(all.length / 2)]!;
      const since = await entries(`?from=${encodeURIComponent(middle.at)}&limit=500`);
      assert.ok(since.every((e) => e.at >= middle.at) && since.some((e) => e.seq === middle.seq));
      const until = await entries(`?to=${encodeURIComponent(middle.at)}&limit=500`);
      assert.ok(until.every((e) => e.at <= middle.at) && until.some((e) => e.seq === middle.seq));
      assert.deepEqual(await entries(`?from=2100-01-01T00:00:00Z`), []);

      const ndjson = await audit('?format=ndjson&action=token.create');
      assert.equal(ndjson.headers.get('content-type'), 'application/x-ndjson; charset=utf-8');
      assert.match(ndjson.headers.get('content-disposition') ?? '', /attachment; filename="arkiv-audit-.*\.ndjson"/);
      const lines = (await ndjson.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as AuditEntryView);
      assert.deepEqual(lines, [...creations].reverse());

      const csv = await audit('?format=csv&action=token.create');
      assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
      const rows = (await csv.text()).trimEnd().split('\r\n');
      assert.equal(rows[0], 'seq,at,action,actor_kind,actor_id,actor_label,address,details,prev_hash,hash');
      assert.equal(rows.length, creations.length + 1);
      assert.ok(rows[1]!.startsWith(`${creations.at(-1)!.seq},${creations.at(-1)!.at},token.create,token,`));

      assert.equal((await audit('?cursor=bm9wZQ')).status, 400);
      assert.equal((await audit('?actor=robot')).status, 400);
      assert.equal((await audit('?action=report.explode')).status, 400);
      const member = await login(server, await addUser(server, 'member'));
      assert.equal((await audit('', member.headers())).status, 403);
    });
  });
}
