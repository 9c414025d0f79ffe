/**
 * Where a tenant's events may be sent. Anyone with an admin key can subscribe a URL, and the
 * worker then POSTs to it from inside the operator's network: so an https URL on a public
 * address only, unless the operator allowed the host (CHASELINE_ALLOWED_EVENT_HOSTS — a local
 * receiver, an internal service; http is allowed for these). A name is checked when the
 * subscription is saved, and the addresses it resolves to again at every delivery (a DNS
 * answer may change to a private address after the check).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { operatorAllowed } from '../common/hosts.ts';

const privateRanges = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  privateRanges.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  privateRanges.addSubnet(net, bits, 'ipv6');

/** A loopback, private, link-local, shared or multicast address (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
  const family = isIP(a);
  if (family === 4) return privateRanges.check(a, 'ipv4');
  if (family === 6) return privateRanges.check(a, 'ipv6');
  return false;
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain)$/;

/** Why events may not go to `value`, or null when they may. */
export function eventUrlRefusal(value: string, allowed: readonly string[] = []): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password (the signature authenticates us)';
  if (operatorAllowed(url, allowed)) return null;
  if (url.protocol !== 'https:') return 'must be an https URL (an http host needs the operator to allow it: CHASELINE_ALLOWED_EVENT_HOSTS)';
  const host = url.hostname.toLowerCase();
  if (isPrivateAddress(host) || LOCAL_NAMES.test(host) || !host.includes('.')) {
    return 'must be on a public address, not a loopback, private or local one (an internal receiver needs the operator to allow its host: CHASELINE_ALLOWED_EVENT_HOSTS)';
  }
  return null;
}

/**
 * A `lookup` for node's http(s).request that refuses to connect to private addresses: the
 * name of a subscription may resolve to one long after it was checked.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad || !addresses.length) {
      const refused = Object.assign(new Error(`${hostname} resolves to a private address: refused`), { code: 'EPRIVATEADDRESS' });
      return callback(refused, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};
