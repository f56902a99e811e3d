import { isIPv6 } from 'node:net';

/** The address as shown to people (session lists): an IPv4-mapped IPv6 address as plain IPv4. */
export const clientAddress = (ip: string): string => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * The key per-address limits count by. An IPv6 client usually controls a whole /64, so it counts
 * as one client; IPv4 (and IPv4-mapped IPv6) addresses count on their own.
 */
export function clientAddressKey(ip: string): string {
  if (!isIPv6(ip) || ip.toLowerCase().startsWith('::ffff:')) return ip.replace(/^::ffff:/i, '');
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = ip.includes('::') ? [...headGroups, ...Array(Math.max(missing, 0)).fill('0'), ...tailGroups] : headGroups;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':')}::/64`;
}
