import dns from 'node:dns';
import net from 'node:net';
import type { Agent } from 'undici';
import { loadUndici } from '../shared/load-undici.js';
import { AppError } from '../http/errors.js';

/**
 * Outbound target guard. Webhook URLs are chosen by customers, so every request Arkiv sends to one must
 * land on the public internet, never on Arkiv's own host, network or cloud metadata service. The rule:
 * the address we check is the address we connect to. `checkWebhookUrl` gives early feedback when an
 * endpoint is saved; the dispatcher's connector is what enforces it, at connect time, so a DNS answer
 * that changes between the two (rebinding) gains nothing.
 */

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export interface TargetPolicy {
  /** Development and tests only (ARKIV_WEBHOOK_ALLOW_PRIVATE): also allow loopback, RFC 1918/ULA, CGNAT. */
  allowPrivate: boolean;
}

// Even allowPrivate never opens link-local (cloud metadata lives there) or non-unicast ranges.
const ALLOWED_WHEN_PRIVATE: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'cgnat']);

// ---------------------------------------------------------------------------------------------------
// Classification. Our own byte-level table rather than net.BlockList: BlockList does not look inside
// NAT64 or 6to4 addresses and silently fails to match a zone-scoped one ("fe80::1%eth0"), so we would
// need this parser anyway; with it, one longest-prefix table states every rule in one place.

interface Range {
  bytes: Uint8Array;
  prefix: number;
  addressClass: AddressClass;
}

const range = (cidr: string, addressClass: AddressClass): Range => {
  const [address = '', prefix = ''] = cidr.split('/');
  return { bytes: addressBytes(address), prefix: Number(prefix), addressClass };
};

const IPV4_RANGES: readonly Range[] = [
  range('0.0.0.0/8', 'unspecified'), // "this network"; connecting to 0.0.0.0 reaches the local host
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'cgnat'),
  range('100.100.100.200/32', 'metadata'), // Alibaba Cloud
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack, ...
  range('169.254.170.2/32', 'metadata'), // AWS ECS task metadata
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', 'reserved'), // deprecated 6to4 relay anycast
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
  range('255.255.255.255/32', 'broadcast'),
];

const IPV6_RANGES: readonly Range[] = [
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('64:ff9b:1::/48', 'reserved'), // local-use NAT64: translates into networks we cannot see
  range('100::/64', 'reserved'), // discard-only
  range('2001::/23', 'reserved'), // IETF protocol assignments, Teredo included
  range('2001:db8::/32', 'documentation'),
  range('3fff::/20', 'documentation'),
  range('5f00::/16', 'reserved'), // SRv6 SIDs
  range('fc00::/7', 'private'), // unique local
  range('fd00:ec2::254/128', 'metadata'), // AWS IPv6 metadata
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'private'), // deprecated site-local
  range('ff00::/8', 'multicast'),
];

const GLOBAL_UNICAST_V6 = range('2000::/3', 'public');

/** IPv6 forms that carry an IPv4 address, which is what the packet reaches: [range, offset of the v4]. */
const EMBEDDED_V4: ReadonlyArray<readonly [Range, number]> = [
  [range('::ffff:0:0/96', 'reserved'), 12], // IPv4-mapped
  [range('::ffff:0:0:0/96', 'reserved'), 12], // IPv4-translated (SIIT)
  [range('64:ff9b::/96', 'reserved'), 12], // NAT64 well-known prefix
  [range('2002::/16', 'reserved'), 2], // 6to4
  [range('::/96', 'reserved'), 12], // IPv4-compatible (deprecated); :: and ::1 are matched before
];

function addressBytes(ip: string): Uint8Array {
  if (net.isIPv4(ip)) return Uint8Array.from(ip.split('.'), Number);
  // A zone id ("%eth0") names an interface, not part of the address.
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Uint8Array.from(all.flatMap((group) => [group >> 8, group & 0xff]));
}

function inRange(bytes: Uint8Array, { bytes: base, prefix }: Range): boolean {
  if (bytes.length !== base.length) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
    if (((bytes[bit / 8]! ^ base[bit / 8]!) & mask) !== 0) return false;
  }
  return true;
}

/** The most specific range containing the address, so /32 metadata beats /16 link-local. */
function longestMatch(bytes: Uint8Array, ranges: readonly Range[]): AddressClass | undefined {
  let best: Range | undefined;
  for (const candidate of ranges) {
    if (inRange(bytes, candidate) && (!best || candidate.prefix > best.prefix)) best = candidate;
  }
  return best?.addressClass;
}

/** What kind of destination an IPv4 or IPv6 address is. Throws a TypeError for anything else. */
export function classifyAddress(ip: string): AddressClass {
  if (!net.isIP(ip)) throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
  const bytes = addressBytes(ip);
  if (bytes.length === 4) return longestMatch(bytes, IPV4_RANGES) ?? 'public';

  const exact = longestMatch(bytes, IPV6_RANGES.filter((r) => r.prefix === 128));
  if (exact) return exact;
  for (const [form, offset] of EMBEDDED_V4) {
    if (inRange(bytes, form)) return classifyAddress(Array.from(bytes.subarray(offset, offset + 4)).join('.'));
  }
  return longestMatch(bytes, IPV6_RANGES) ?? (inRange(bytes, GLOBAL_UNICAST_V6) ? 'public' : 'reserved');
}

// ---------------------------------------------------------------------------------------------------
// Refusal

export type RefusalReason = 'invalid_url' | 'scheme' | 'credentials' | 'unresolvable' | 'address';

/**
 * A webhook target Arkiv will not send to. `code` is stable (`webhook_target_refused`) both when an
 * endpoint is saved (a 400 for the API) and deep in a failed delivery's `cause` chain. The resolved
 * `address` is for our logs only: message and details never show it, or the API would tell a caller
 * what internal-only host names resolve to.
 */
export class WebhookTargetRefusedError extends AppError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly address?: string,
  ) {
    super(400, 'webhook_target_refused', message, { details: { reason } });
    this.name = 'WebhookTargetRefusedError';
  }
}

/** Whether an error, or anything in its `cause` chain, is a target refusal. */
export function isWebhookTargetRefused(error: unknown): error is WebhookTargetRefusedError {
  for (let current = error, depth = 0; current instanceof Error && depth < 16; current = current.cause, depth++) {
    if (current instanceof WebhookTargetRefusedError) return true;
  }
  return false;
}

const hostRefusalMessage = (host: string) => `${host} does not resolve to public addresses only; webhooks are only sent to public addresses`;

/** The refusal for one address under a policy, or undefined when it may be contacted. */
export function refusalFor(address: string, host: string, policy: TargetPolicy): WebhookTargetRefusedError | undefined {
  const addressClass = net.isIP(address) ? classifyAddress(address) : undefined;
  if (addressClass === 'public' || (addressClass && policy.allowPrivate && ALLOWED_WHEN_PRIVATE.has(addressClass))) return undefined;
  // A hostname's refusal never says what it resolved to: the same words as "does not resolve", so
  // the API is no oracle for which internal names exist. The address stays on the error for logs.
  if (host !== address) return new WebhookTargetRefusedError('address', hostRefusalMessage(host), address);
  return new WebhookTargetRefusedError('address', `${address} is a ${addressClass ?? 'malformed'} address; webhooks are only sent to public addresses`, address);
}

// ---------------------------------------------------------------------------------------------------
// Resolution and connection

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
type LookupFunction = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for `net.connect` that resolves every address and refuses the connection if any of them
 * is refused: the address then connected to is one that was checked, with no second resolution.
 */
export function createGuardedLookup(policy: TargetPolicy, baseLookup: LookupFunction = dns.lookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    baseLookup(hostname, { ...options, all: true }, (error, resolved) => {
      if (error) return callback(error, []);
      const addresses = resolved as dns.LookupAddress[];
      const refusal = addresses.length === 0
        ? new WebhookTargetRefusedError('unresolvable', `${hostname} has no addresses`)
        : addresses.map(({ address }) => refusalFor(address, hostname, policy)).find(Boolean);
      if (refusal) return callback(refusal, []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [dns.LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

const unbracket = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);

export interface GuardOptions {
  /** Resolver to guard; defaults to `dns.lookup`. Tests substitute one to script DNS answers. */
  lookup?: LookupFunction;
}

/**
 * Validates a webhook URL when an endpoint is created or updated: http(s) only, no credentials, and
 * every address the host resolves to allowed by the policy. Throws WebhookTargetRefusedError.
 */
export async function checkWebhookUrl(url: string, policy: TargetPolicy, options: GuardOptions = {}): Promise<void> {
  // Messages never echo the URL: it may hold credentials or tokens, and errors end up in logs.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetRefusedError('invalid_url', 'The webhook URL is not a valid absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookTargetRefusedError('scheme', `Webhook URLs must use http or https, not ${parsed.protocol.slice(0, -1)}`);
  }
  if (parsed.username || parsed.password) {
    throw new WebhookTargetRefusedError('credentials', 'Webhook URLs must not contain a user name or password; use the signing secret');
  }

  const host = unbracket(parsed.hostname);
  if (net.isIP(host)) {
    const refusal = refusalFor(host, host, policy);
    if (refusal) throw refusal;
    return;
  }
  const lookup = createGuardedLookup(policy, options.lookup);
  await new Promise<void>((resolve, reject) => {
    lookup(host, { all: true }, (error) => {
      if (!error) return resolve();
      if (error instanceof WebhookTargetRefusedError) return reject(error);
      reject(new WebhookTargetRefusedError('unresolvable', hostRefusalMessage(host)));
    });
  });
}

export interface GuardedDispatcherOptions extends GuardOptions, Omit<Agent.Options, 'connect'> {}

/**
 * An undici Agent that refuses, at connect time, any target the policy refuses. Host names are checked
 * in the connector's `lookup`; IP literals never reach a lookup (net.connect skips it), so they are
 * checked before connecting. Refused requests fail with a WebhookTargetRefusedError (see
 * `isWebhookTargetRefused`); no socket is opened. Redirects, if a caller chooses to follow them, meet
 * the same guard. Never route it through a proxy agent: the guard sees only the socket it opens.
 */
export function createGuardedDispatcher(policy: TargetPolicy, options: GuardedDispatcherOptions = {}): Agent {
  const { lookup, ...agentOptions } = options;
  const { Agent, buildConnector } = loadUndici();
  // A connector function replaces undici's own, so the connect timeout must be handed on here.
  const connectSocket = buildConnector({
    lookup: createGuardedLookup(policy, lookup),
    ...(agentOptions.connectTimeout == null ? {} : { timeout: agentOptions.connectTimeout }),
  });
  return new Agent({
    ...agentOptions,
    connect(connectOptions, callback) {
      const host = unbracket(connectOptions.hostname);
      const refusal = net.isIP(host) ? refusalFor(host, host, policy) : undefined;
      if (refusal) return callback(refusal, null);
      connectSocket(connectOptions, callback);
    },
  });
}
