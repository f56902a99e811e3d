import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ConfigError, loadConfig, SETTINGS } from './config.js';

describe('configuration', () => {
  it('has defaults that run on a laptop', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.blobStore, 'fs');
    assert.equal(config.maxUploadBytes, 100 * 1024 * 1024);
    assert.ok(Object.isFrozen(config));
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ ARKIV_PORT: 'eighty' }, /ARKIV_PORT/],
    [{ ARKIV_PORT: '70000' }, /ARKIV_PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ ARKIV_BLOB_STORE: 'postgres' }, /ARKIV_BLOB_STORE=postgres needs DATABASE_URL/],
    [{ ARKIV_BLOB_STORE: 's4' }, /ARKIV_BLOB_STORE/],
    [{ ARKIV_SECRET_KEY: 'short' }, /ARKIV_SECRET_KEY/],
    [{ ARKIV_WEBHOOK_ALLOW_PRIVATE: 'yes' }, /ARKIV_WEBHOOK_ALLOW_PRIVATE/],
    [{ ARKIV_MAX_UPLOAD_BYTES: '-1' }, /ARKIV_MAX_UPLOAD_BYTES/],
    [{ ARKIV_TRUST_PROXY: 'true' }, /ARKIV_TRUST_PROXY/],
    [{ ARKIV_TRUST_PROXY: '10.0.0.0/33' }, /ARKIV_TRUST_PROXY/],
    [{ ARKIV_BLOB_STORE: 's3' }, /ARKIV_BLOB_STORE=s3 needs ARKIV_S3_BUCKET/],
    [{ ARKIV_BLOB_STORE: 's3', ARKIV_S3_BUCKET: 'Bad_Bucket' }, /ARKIV_S3_BUCKET/],
    [{ ARKIV_BLOB_STORE: 's3', ARKIV_S3_BUCKET: 'reports', ARKIV_S3_ENDPOINT: 'minio:9000' }, /ARKIV_S3_ENDPOINT/],
    [{ ARKIV_BLOB_STORE: 's3', ARKIV_S3_BUCKET: 'reports', ARKIV_S3_FORCE_PATH_STYLE: 'yes' }, /ARKIV_S3_FORCE_PATH_STYLE/],
    [{ ARKIV_SMTP_URL: 'http://mail.example.com', ARKIV_MAIL_FROM: 'a@example.com' }, /ARKIV_SMTP_URL/],
    [{ ARKIV_SMTP_URL: 'smtp://mail.example.com:587' }, /ARKIV_MAIL_FROM/],
    [{ ARKIV_SMTP_URL: 'smtp://mail.example.com:587', ARKIV_MAIL_FROM: 'not an address' }, /ARKIV_MAIL_FROM/],
  ];
  for (const [env, message] of bad) {
    it(`stops with a message naming the variable for ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    });
  }

  it('reads the S3 settings only for the s3 store, with a prefix that ends in a slash', () => {
    assert.equal(loadConfig({ ARKIV_S3_BUCKET: 'reports' }).s3, undefined);
    const config = loadConfig({
      ARKIV_BLOB_STORE: 's3',
      ARKIV_S3_BUCKET: 'reports',
      ARKIV_S3_PREFIX: 'arkiv/prod',
      ARKIV_S3_REGION: 'eu-north-1',
      ARKIV_S3_ENDPOINT: 'http://127.0.0.1:9000',
      ARKIV_S3_FORCE_PATH_STYLE: '1',
    });
    assert.equal(config.blobStore, 's3');
    assert.deepEqual({ ...config.s3 }, { bucket: 'reports', prefix: 'arkiv/prod/', region: 'eu-north-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    assert.deepEqual({ ...loadConfig({ ARKIV_BLOB_STORE: 's3', ARKIV_S3_BUCKET: 'reports' }).s3 }, { bucket: 'reports', prefix: '', region: undefined, endpoint: undefined, forcePathStyle: false });
  });

  it('reads mail settings only when ARKIV_SMTP_URL is set, and never repeats its password in an error', () => {
    assert.equal(loadConfig({}).mail, undefined);
    assert.deepEqual({ ...loadConfig({ ARKIV_SMTP_URL: 'smtps://arkiv:s3cret@mail.example.com:465', ARKIV_MAIL_FROM: 'Arkiv <arkiv@example.com>' }).mail }, {
      smtpUrl: 'smtps://arkiv:s3cret@mail.example.com:465',
      from: 'Arkiv <arkiv@example.com>',
    });
    assert.throws(() => loadConfig({ ARKIV_SMTP_URL: 'ftp://arkiv:s3cret@mail.example.com', ARKIV_MAIL_FROM: 'a@example.com' }), (error: Error) => !error.message.includes('s3cret'));
  });

  it('reads single sign-on settings only with ARKIV_OIDC_ISSUER, checks each, and never repeats the client secret', () => {
    assert.equal(loadConfig({}).oidc, undefined);
    const oidc = { ARKIV_OIDC_ISSUER: 'https://id.example.com/realms/acme', ARKIV_OIDC_CLIENT_ID: 'arkiv', ARKIV_OIDC_CLIENT_SECRET: 'hush-hush-secret' };
    assert.deepEqual({ ...loadConfig(oidc).oidc }, {
      issuer: 'https://id.example.com/realms/acme',
      clientId: 'arkiv',
      clientSecret: 'hush-hush-secret',
      scopes: 'openid email profile',
      groupsClaim: 'groups',
    });
    assert.equal(loadConfig({ ...oidc, ARKIV_OIDC_SCOPES: ' openid  email groups ', ARKIV_OIDC_GROUPS_CLAIM: 'roles' }).oidc?.scopes, 'openid email groups');
    assert.equal(loadConfig({ ...oidc, ARKIV_OIDC_CLIENT_SECRET: '' }).oidc?.clientSecret, undefined, 'a public client');
    assert.equal(loadConfig({ ...oidc, ARKIV_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.issuer, 'http://127.0.0.1:9000', 'plain HTTP on loopback');
    const refused: Array<[Record<string, string>, RegExp]> = [
      [{ ...oidc, ARKIV_OIDC_ISSUER: 'http://id.example.com' }, /ARKIV_OIDC_ISSUER must be the provider's https:\/\/ issuer URL/],
      [{ ...oidc, ARKIV_OIDC_ISSUER: 'not a url' }, /ARKIV_OIDC_ISSUER/],
      [{ ...oidc, ARKIV_OIDC_CLIENT_ID: '' }, /ARKIV_OIDC_ISSUER needs ARKIV_OIDC_CLIENT_ID/],
      [{ ...oidc, ARKIV_OIDC_SCOPES: 'email profile' }, /ARKIV_OIDC_SCOPES must be space-separated scopes including openid/],
      [{ ...oidc, ARKIV_OIDC_SCOPES: 'openid "email"' }, /ARKIV_OIDC_SCOPES/],
      [{ ...oidc, ARKIV_OIDC_GROUPS_CLAIM: 'my groups' }, /ARKIV_OIDC_GROUPS_CLAIM/],
      [{ ARKIV_OIDC_CLIENT_SECRET: 'hush-hush-secret' }, /ARKIV_OIDC_CLIENT_SECRET is set but ARKIV_OIDC_ISSUER is not/],
    ];
    for (const [source, message] of refused) {
      assert.throws(() => loadConfig(source), (error: Error) => error instanceof ConfigError && message.test(error.message) && !error.message.includes('hush-hush') && !error.message.includes('\n'));
    }
  });

  it('trusts named proxies only, never every hop or a bare hop count', () => {
    assert.equal(loadConfig({ ARKIV_TRUST_PROXY: 'loopback' }).trustProxy, 'loopback');
    assert.throws(() => loadConfig({ ARKIV_TRUST_PROXY: '1' }), /ARKIV_TRUST_PROXY/);
    assert.equal(loadConfig({ ARKIV_TRUST_PROXY: '10.0.0.0/8, ::1' }).trustProxy, '10.0.0.0/8,::1');
    assert.equal(loadConfig({ ARKIV_TRUST_PROXY: '0' }).trustProxy, false);
  });

  it('documents every setting in docs/operations.md', () => {
    const doc = fs.readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    for (const setting of SETTINGS) {
      assert.ok(doc.includes(`\`${setting.env}\``), `${setting.env} is missing from docs/operations.md`);
      assert.ok(doc.includes(`\`${setting.flag}\``), `${setting.flag} is missing from docs/operations.md`);
    }
  });
});
