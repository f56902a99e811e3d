import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { readHeader } from './headers.js';
import { anyDigestMatches, parseHexSignatures } from './hmac.js';
import { generateSecret, signWebhook, verifyWebhook, WEBHOOK_SCHEMES, type WebhookScheme } from './index.js';

const base = { secrets: ['s3cret'], body: '{}', eventType: 'report.created', deliveryId: randomUUID() };

describe('generateSecret', () => {
  it('gives 32 random bytes as lowercase hex for arkiv (the default) and nexus-iq', () => {
    for (const secret of [generateSecret(), generateSecret('arkiv'), generateSecret('nexus-iq')]) assert.match(secret, /^[0-9a-f]{64}$/);
  });

  it('never repeats', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateSecret()));
    assert.equal(secrets.size, 200);
  });
});

describe('signWebhook arguments', () => {
  it('refuses to sign without a secret, or with an empty one', () => {
    assert.throws(() => signWebhook({ ...base, secrets: [] }), /at least one secret/);
    for (const scheme of WEBHOOK_SCHEMES) assert.throws(() => signWebhook({ ...base, scheme, secrets: [''] }), TypeError);
  });

  it('refuses header values that could inject or split headers', () => {
    for (const eventType of ['', 'report.created\r\nX-Evil: 1', 'report created', 'rapport.créé']) {
      assert.throws(() => signWebhook({ ...base, eventType }), /eventType/, JSON.stringify(eventType));
    }
    assert.throws(() => signWebhook({ ...base, deliveryId: 'a\nb' }), /deliveryId/);
  });

  it('refuses timestamps that are not whole non-negative seconds, including milliseconds by mistake', () => {
    for (const timestamp of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Date.now()]) {
      assert.throws(() => signWebhook({ ...base, timestamp }), /unix seconds/, String(timestamp));
    }
  });

  it('refuses an unknown scheme from untyped callers', () => {
    assert.throws(() => signWebhook({ ...base, scheme: 'github' as WebhookScheme }), /unknown webhook scheme/);
    assert.throws(() => verifyWebhook({ scheme: 'github' as WebhookScheme, secret: 'x', body: '', headers: {} }), /unknown webhook scheme/);
  });
});

describe('verifyWebhook arguments', () => {
  it('throws on its own configuration mistakes, before looking at the request', () => {
    assert.throws(() => verifyWebhook({ secret: '', body: '{}', headers: {} }), /non-empty/);
    assert.throws(() => verifyWebhook({ secret: 'x', body: '{}', headers: {}, toleranceSeconds: -1 }), /toleranceSeconds/);
  });

  it('reports a request without any of its headers as missing_header, for every scheme', () => {
    for (const scheme of WEBHOOK_SCHEMES) {
      const secret = generateSecret(scheme);
      assert.deepEqual(verifyWebhook({ scheme, secret, body: '{}', headers: {} }), { ok: false, reason: 'missing_header' });
      assert.deepEqual(verifyWebhook({ scheme, secret, body: '{}', headers: new Headers() }), { ok: false, reason: 'missing_header' });
    }
  });

  it('never verifies a delivery signed for another scheme', () => {
    for (const signedAs of WEBHOOK_SCHEMES) {
      const secret = generateSecret(signedAs);
      const headers = signWebhook({ ...base, scheme: signedAs, secrets: [secret] });
      for (const scheme of WEBHOOK_SCHEMES.filter((other) => other !== signedAs)) {
        const otherSecret = scheme === 'standard-webhooks' ? generateSecret(scheme) : secret;
        assert.equal(verifyWebhook({ scheme, secret: otherSecret, body: base.body, headers }).ok, false, `${signedAs} as ${scheme}`);
      }
    }
  });
});

describe('header lookup', () => {
  it('joins repeated values as Node and fetch do', () => {
    const node: IncomingHttpHeaders = { 'x-arkiv-webhook-signature': 'aa', 'X-Arkiv-Webhook-Signature': 'bb' };
    assert.equal(readHeader(node, 'X-ARKIV-WEBHOOK-SIGNATURE'), 'aa, bb');
    assert.equal(readHeader({ 'set-cookie': ['a=1', 'b=2'] }, 'Set-Cookie'), 'a=1, b=2');
    const fetchHeaders = new Headers([['x-a', '1'], ['X-A', '2']]);
    assert.equal(readHeader(fetchHeaders, 'x-a'), '1, 2');
    assert.equal(readHeader({ 'x-a': undefined }, 'x-a'), undefined);
  });
});

describe('digest comparison', () => {
  it('finds a match in any position and skips entries of the wrong length', () => {
    const expected = Buffer.alloc(32, 7);
    assert.equal(anyDigestMatches(expected, [Buffer.alloc(32, 1), Buffer.alloc(16, 7), expected]), true);
    assert.equal(anyDigestMatches(expected, [Buffer.alloc(31, 7), Buffer.alloc(33, 7)]), false);
    assert.equal(anyDigestMatches(expected, []), false);
  });

  it('drops list entries that are not whole hex bytes', () => {
    assert.deepEqual(parseHexSignatures('0a, 0B,xyz,abc,,'), [Buffer.from([0x0a]), Buffer.from([0x0b])]);
  });
});

describe('a real HTTP receiver', () => {
  it('verifies every scheme from Node request headers and the raw body', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const scheme of WEBHOOK_SCHEMES) {
        const secret = generateSecret(scheme);
        const body = JSON.stringify({ type: 'report.created', data: { projectName: 'shop', note: 'Grüße' } });
        const headers = signWebhook({ ...base, scheme, secrets: [secret], body });
        const response = await fetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
        assert.equal(response.status, 200);
        const delivery = received.at(-1)!;
        const result = verifyWebhook({ scheme, secret, body: delivery.body, headers: delivery.headers });
        assert.equal(result.ok, true, scheme);
        assert.equal(result.ok && result.deliveryId, base.deliveryId);
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
