import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { fetch, request } from 'undici';
import {
  checkWebhookUrl,
  classifyAddress,
  createGuardedDispatcher,
  createGuardedLookup,
  isWebhookTargetRefused,
  WebhookTargetRefusedError,
  type AddressClass,
} from './target-guard.js';

// These tests send traffic to loopback only. Public addresses appear solely as input to classification
// or to a guard that must decide before connecting, and scripted lookups stand in for DNS.

const CLASSES: Array<[string, AddressClass]> = [
  // IPv4
  ['0.0.0.0', 'unspecified'],
  ['0.255.255.255', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['100.100.100.200', 'metadata'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // IPv4 neighbours of refused ranges stay public
  ['1.1.1.1', 'public'],
  ['8.8.8.8', 'public'],
  ['9.255.255.255', 'public'],
  ['11.0.0.0', 'public'],
  ['100.63.255.255', 'public'],
  ['100.128.0.0', 'public'],
  ['126.255.255.255', 'public'],
  ['128.0.0.0', 'public'],
  ['169.253.255.255', 'public'],
  ['172.15.255.255', 'public'],
  ['172.32.0.0', 'public'],
  ['192.167.255.255', 'public'],
  ['198.17.255.255', 'public'],
  ['198.20.0.0', 'public'],
  ['223.255.255.255', 'public'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'link-local'],
  ['FE80::ABCD', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['fec0::1', 'private'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['100::1', 'reserved'],
  ['2001::1', 'reserved'], // Teredo
  ['2001:10::1', 'reserved'],
  ['5f00::1', 'reserved'],
  ['64:ff9b:1::a00:1', 'reserved'],
  ['4000::1', 'reserved'], // outside global unicast 2000::/3
  ['::2', 'unspecified'], // IPv4-compatible 0.0.0.2
  ['2606:4700:4700::1111', 'public'],
  ['2001:4860:4860::8888', 'public'],
  ['2a00:1450:4001:80b::200e', 'public'],
  // IPv6 forms embedding an IPv4 address: the embedded address decides
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:a9fe:a9fe', 'metadata'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:8.8.8.8', 'public'],
  ['::127.0.0.1', 'loopback'], // IPv4-compatible (deprecated)
  ['::ffff:0:7f00:1', 'loopback'], // IPv4-translated
  ['64:ff9b::7f00:1', 'loopback'], // NAT64
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::8.8.8.8', 'public'],
  ['2002:7f00:1::1', 'loopback'], // 6to4
  ['2002:c0a8:101::1', 'private'],
  ['2002:a9fe:a9fe::', 'metadata'],
  ['2002:808:808::1', 'public'],
];

describe('classifyAddress', () => {
  for (const [address, expected] of CLASSES) {
    it(`${address} is ${expected}`, () => assert.equal(classifyAddress(address), expected));
  }

  it('throws on anything that is not an IP address', () => {
    for (const input of ['', 'localhost', '127.1', '256.0.0.1', '::ffff:999.0.0.1', '1::2::3', '[::1]']) {
      assert.throws(() => classifyAddress(input), TypeError, input);
    }
  });

  // An independent implementation of the IPv4 rules, on Node's BlockList, checked on random addresses.
  const refusedV4 = new net.BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
    ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
    ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
  ] as const) refusedV4.addSubnet(network, prefix, 'ipv4');

  it('agrees with a net.BlockList of the refused IPv4 ranges on random addresses', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        assert.equal(classifyAddress(address) !== 'public', refusedV4.check(address, 'ipv4'), address);
      }),
      { numRuns: 20_000 },
    );
  });

  it('classifies every IPv6 form of a random IPv4 address as that address', () => {
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
        const forms = [`::ffff:${v4}`, `::ffff:${hex(a, b)}:${hex(c, d)}`, `64:ff9b::${v4}`, `2002:${hex(a, b)}:${hex(c, d)}::1`];
        for (const form of forms) assert.equal(classifyAddress(form), classifyAddress(v4), form);
      }),
      { numRuns: 5_000 },
    );
  });
});

/** A lookup that answers from a script instead of DNS, in `dns.lookup`'s calling convention. */
function scriptedLookup(answers: (hostname: string) => LookupAddress[]) {
  const calls: string[] = [];
  const lookup = (hostname: string, options: LookupOptions, callback: (e: NodeJS.ErrnoException | null, a: string | LookupAddress[], f?: number) => void) => {
    calls.push(hostname);
    const addresses = answers(hostname);
    if (addresses.length === 0) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  };
  return { lookup, calls };
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

async function refusal(promise: Promise<unknown>): Promise<WebhookTargetRefusedError> {
  const error = await promise.then(
    () => assert.fail('expected the target to be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof WebhookTargetRefusedError, `expected a refusal, got ${String(error)}`);
  assert.equal(error.code, 'webhook_target_refused');
  return error;
}

describe('checkWebhookUrl', () => {
  const closed = { allowPrivate: false };
  const open = { allowPrivate: true };

  it('refuses loopback literals and localhost unless private targets are allowed', async () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost:8080/hook', 'http://[::1]/', 'https://127.0.0.2/']) {
      const error = await refusal(checkWebhookUrl(url, closed));
      assert.equal(error.reason, 'address');
      assert.match(error.message, url.includes('localhost') ? /localhost does not resolve to public addresses only/ : /loopback/);
      await checkWebhookUrl(url, open);
    }
  });

  it('names the host but not what it resolved to, keeping the address itself for logs only', async () => {
    const error = await refusal(checkWebhookUrl('http://localhost/', closed));
    assert.equal(error.message, 'localhost does not resolve to public addresses only; webhooks are only sent to public addresses');
    assert.equal(error.status, 400);
    assert.deepEqual(error.extra.details, { reason: 'address' });
    assert.equal(error.address, '127.0.0.1');
  });

  it('refuses the other spellings WHATWG URL parsing turns into loopback', async () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/', 'http://[0:0:0:0:0:ffff:7f00:1]/']) {
      assert.equal((await refusal(checkWebhookUrl(url, closed))).reason, 'address', url);
    }
  });

  it('refuses metadata, link-local and unspecified targets even when private targets are allowed', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://[fe80::1]/', 'http://0.0.0.0:8080/', 'http://[::]/', 'http://224.0.0.1/']) {
      await refusal(checkWebhookUrl(url, open));
    }
  });

  it('accepts a public IP literal without resolving anything', async () => {
    const { lookup, calls } = scriptedLookup(() => []);
    await checkWebhookUrl('https://93.184.215.14/hook', closed, { lookup });
    await checkWebhookUrl('https://[2606:4700:4700::1111]/hook', closed, { lookup });
    assert.deepEqual(calls, []);
  });

  it('refuses a host when any one of its addresses is refused', async () => {
    const { lookup } = scriptedLookup(() => [v4('93.184.215.14'), v6('2606:4700:4700::1111'), v6('fd00::1')]);
    const error = await refusal(checkWebhookUrl('https://hooks.example.com/x', closed, { lookup }));
    assert.equal(error.address, 'fd00::1');
    assert.match(error.message, /^hooks\.example\.com does not resolve to public addresses only/);
  });

  it('accepts a host whose addresses are all public', async () => {
    const { lookup, calls } = scriptedLookup(() => [v4('93.184.215.14'), v6('2606:4700:4700::1111')]);
    await checkWebhookUrl('https://hooks.example.com/x', closed, { lookup });
    assert.deepEqual(calls, ['hooks.example.com']);
  });

  it('refuses a host that does not resolve', async () => {
    const { lookup } = scriptedLookup(() => []);
    const error = await refusal(checkWebhookUrl('https://nowhere.example.com/', closed, { lookup }));
    assert.equal(error.reason, 'unresolvable');
    // The same words as a host resolving to a private address: no oracle for internal names.
    assert.equal(error.message, 'nowhere.example.com does not resolve to public addresses only; webhooks are only sent to public addresses');
  });

  it('refuses schemes other than http and https', async () => {
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)', 'ws://example.com/', 'data:text/plain,hi']) {
      assert.equal((await refusal(checkWebhookUrl(url, open))).reason, 'scheme', url);
    }
  });

  it('refuses credentials in the URL, without repeating them in the message', async () => {
    for (const url of ['https://user:hunter2@example.com/', 'https://user@example.com/', 'https://:hunter2@example.com/']) {
      const error = await refusal(checkWebhookUrl(url, open));
      assert.equal(error.reason, 'credentials');
      assert.doesNotMatch(error.message, /hunter2|user@/);
    }
  });

  it('refuses text that is not an absolute URL', async () => {
    for (const url of ['', 'not a url', '/relative/path', 'http://', 'http://exa mple.com/']) {
      assert.equal((await refusal(checkWebhookUrl(url, open))).reason, 'invalid_url', url);
    }
  });
});

describe('createGuardedLookup', () => {
  it('answers in the shape asked for when every address is allowed', async () => {
    const { lookup } = scriptedLookup(() => [v4('93.184.215.14'), v6('2606:4700:4700::1111')]);
    const guarded = createGuardedLookup({ allowPrivate: false }, lookup);
    const one = await new Promise((resolve) => guarded('h.example', { all: false }, (e, address, family) => resolve([e, address, family])));
    assert.deepEqual(one, [null, '93.184.215.14', 4]);
    const all = await new Promise((resolve) => guarded('h.example', { all: true }, (e, addresses) => resolve([e, addresses])));
    assert.deepEqual(all, [null, [v4('93.184.215.14'), v6('2606:4700:4700::1111')]]);
  });
});

describe('createGuardedDispatcher', () => {
  let server: Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = createServer((_req, res) => res.end('delivered'));
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs `body` with a guarded agent and always closes the agent, whatever happens. */
  async function withAgent(policy: { allowPrivate: boolean }, options: Parameters<typeof createGuardedDispatcher>[1], body: (agent: ReturnType<typeof createGuardedDispatcher>) => Promise<void>) {
    const agent = createGuardedDispatcher(policy, options);
    try {
      await body(agent);
    } finally {
      await agent.close();
    }
  }

  it('refuses a loopback IP literal before any connection is made', async () => {
    const before = connections;
    await withAgent({ allowPrivate: false }, {}, async (agent) => {
      const error = await request(`http://127.0.0.1:${port}/hook`, { method: 'POST', body: '{}', dispatcher: agent }).catch((e: unknown) => e);
      assert.ok(isWebhookTargetRefused(error), `expected a refusal, got ${String(error)}`);
    });
    assert.equal(connections, before);
  });

  it('refuses a host name that resolves to loopback, checked in the connector lookup', async () => {
    const before = connections;
    await withAgent({ allowPrivate: false }, {}, async (agent) => {
      const error = await request(`http://localhost:${port}/hook`, { dispatcher: agent }).catch((e: unknown) => e);
      assert.ok(isWebhookTargetRefused(error), `expected a refusal, got ${String(error)}`);
    });
    assert.equal(connections, before);
  });

  it('is recognisable through fetch, which wraps the refusal in a TypeError cause', async () => {
    await withAgent({ allowPrivate: false }, {}, async (agent) => {
      const error = await fetch(`http://127.0.0.1:${port}/`, { dispatcher: agent }).catch((e: unknown) => e);
      assert.ok(error instanceof TypeError);
      assert.ok(isWebhookTargetRefused(error));
      assert.ok(!isWebhookTargetRefused(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') })));
    });
  });

  it('delivers to loopback, by literal and by name, when private targets are allowed', async () => {
    await withAgent({ allowPrivate: true }, {}, async (agent) => {
      for (const host of ['127.0.0.1', 'localhost']) {
        const response = await request(`http://${host}:${port}/hook`, { method: 'POST', body: '{}', dispatcher: agent });
        assert.equal(response.statusCode, 200);
        assert.equal(await response.body.text(), 'delivered');
      }
    });
  });

  it('checks the answer it connects with, so a rebinding DNS answer after the save-time check is refused', async () => {
    // First answer public (the save-time check passes), every later one loopback (the attack).
    let answered = 0;
    const { lookup } = scriptedLookup(() => (answered++ === 0 ? [v4('93.184.215.14')] : [v4('127.0.0.1')]));
    const url = `http://rebind.example.com:${port}/hook`;
    await checkWebhookUrl(url, { allowPrivate: false }, { lookup });
    const before = connections;
    await withAgent({ allowPrivate: false }, { lookup }, async (agent) => {
      const error = await request(url, { dispatcher: agent }).catch((e: unknown) => e);
      assert.ok(isWebhookTargetRefused(error), `expected a refusal, got ${String(error)}`);
    });
    assert.equal(connections, before);
  });

  it('connects to the address its lookup checked, not to a second resolution', async () => {
    const { lookup, calls } = scriptedLookup(() => [v4('127.0.0.1')]);
    await withAgent({ allowPrivate: true }, { lookup }, async (agent) => {
      const response = await request(`http://scripted.example.com:${port}/`, { dispatcher: agent });
      assert.equal(await response.body.text(), 'delivered');
    });
    assert.deepEqual(calls, ['scripted.example.com']);
  });
});
