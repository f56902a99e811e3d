import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { buildAdminCli } from '../admin-cli.js';
import { testDialects } from '../test/test-database.js';
import { startTestServer, type TestServer } from '../test/test-server.js';

const SECRET_KEY = 'test-secret-key-test-secret-key-0123456789';

interface Jwk { kty: string; crv: string; x: string; kid: string; use: string; alg: string; createdAt: string; notAfter?: string }

async function jwks(server: TestServer, org = server.orgId): Promise<Jwk[]> {
  const response = await fetch(`${server.url}/.well-known/jwks.json?org=${org}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { keys: Jwk[] }).keys;
}

/** RFC 7638 thumbprint computed here from the JWK the server published, not by the server's helper. */
const thumbprint = (jwk: Jwk) => crypto.createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');

/** Runs `arkiv org rotate-signing-key` in this process against the test server's database, capturing stdout. */
async function rotateWithCli(server: TestServer): Promise<{ kid: string }> {
  const args = ['org', 'rotate-signing-key', '--org', server.orgId, '--json', '--data-dir', server.database.dataDir, '--secret-key', SECRET_KEY];
  if (server.database.databaseUrl) args.push('--database-url', server.database.databaseUrl);
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await buildAdminCli().parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(written.join('')) as { kid: string };
}

for (const dialect of testDialects) {
  describe(`organisation signing keys (${dialect})`, () => {
    let server: TestServer;
    before(async () => (server = await startTestServer(dialect)));
    after(() => server.stop());

    it('publishes the current Ed25519 key as a JWKS without authentication', async () => {
      const [key, ...rest] = await jwks(server);
      assert.equal(rest.length, 0);
      assert.deepEqual({ kty: key!.kty, crv: key!.crv, use: key!.use, alg: key!.alg }, { kty: 'OKP', crv: 'Ed25519', use: 'sig', alg: 'EdDSA' });
      assert.equal(Buffer.from(key!.x, 'base64url').length, 32);
      assert.equal(key!.kid, thumbprint(key!));
      assert.equal(key!.notAfter, undefined);
      // Node imports it as an Ed25519 public key: the JWK is well formed.
      assert.equal(crypto.createPublicKey({ key: { ...key } as crypto.JsonWebKey, format: 'jwk' }).asymmetricKeyType, 'ed25519');
      assert.deepEqual(await jwks(server), [key], 'the lazily created key is created once');
    });

    it('lists nothing for an organisation that does not exist', async () => {
      assert.deepEqual(await jwks(server, crypto.randomUUID()), []);
    });

    it('keeps the private key sealed at rest', async () => {
      const rows = await server.ctx.db.selectFrom('org_signing_keys').selectAll().where('org_id', '=', server.orgId).execute();
      for (const row of rows) {
        assert.match(row.private_key_sealed, /^v1:/);
        const privateKey = crypto.createPrivateKey({ key: Buffer.from(server.ctx.secrets.open(row.private_key_sealed), 'base64url'), format: 'der', type: 'pkcs8' });
        assert.equal(crypto.createPublicKey(privateKey).export({ format: 'jwk' }).x, row.public_key);
        const raw = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
        assert.ok(![raw.toString('base64'), raw.toString('base64url'), raw.toString('hex')].some((form) => row.private_key_sealed.includes(form)));
      }
    });

    it('rotates through the API and the CLI; retired keys stay published with notAfter', async () => {
      const [first] = await jwks(server);
      const response = await fetch(`${server.url}/api/orgs/${server.orgId}/signing-keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.admin}` } });
      assert.equal(response.status, 200);
      const second = (await response.json()) as { kid: string; notAfter: string | null; fingerprint: string };
      assert.notEqual(second.kid, first!.kid);
      assert.equal(second.notAfter, null);
      assert.match(second.fingerprint, /^([0-9a-f]{4}:){15}[0-9a-f]{4}$/);

      const third = await rotateWithCli(server);
      const keys = await jwks(server);
      assert.deepEqual(keys.map((k) => k.kid).sort(), [first!.kid, second.kid, third.kid].sort());
      const current = keys.filter((k) => k.notAfter === undefined);
      assert.deepEqual(current.map((k) => k.kid), [third.kid], 'exactly one key signs');
      for (const key of keys) if (key.kid !== third.kid) assert.ok(Date.parse(key.notAfter!) > 0, `${key.kid} has notAfter`);

      const listed = await fetch(`${server.url}/api/orgs/${server.orgId}/signing-keys`, { headers: { authorization: `Bearer ${server.tokens.admin}` } });
      const body = (await listed.json()) as { keys: Array<{ kid: string; notAfter: string | null }> };
      assert.equal(body.keys[0]!.kid, third.kid, 'newest first');
      assert.equal(body.keys.length, 3);
    });

    it('refuses rotation to a read token', async () => {
      const response = await fetch(`${server.url}/api/orgs/${server.orgId}/signing-keys/rotate`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.read}` } });
      assert.equal(response.status, 403);
    });
  });
}
