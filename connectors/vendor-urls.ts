/**
 * Where a tenant's connector may send the tenant's vendor token: https on the vendor's own
 * domains, or a host the operator allowed (CHASELINE_ALLOWED_VENDOR_HOSTS: simulators,
 * sandboxes, a proxy). Without this, a tenant admin could point `apiBaseUrl` at an internal
 * address and have the server deliver requests, token included, there.
 *
 * Checked when the credentials are saved and again each time the worker builds the
 * connector, so tightening the operator's list takes effect on stored credentials too.
 */
import { AppError } from '../core/errors.ts';

export interface VendorUrls {
  /** The vendor's name, for messages. */
  vendor: string;
  /** Its API hosts, reached over https on the default port: a name, or `*.example.com` for any name under example.com. */
  hosts: readonly string[];
  /** Where URLs sit in the credentials, as dotted paths (`apiBaseUrl`, `auth.instanceUrl`). */
  fields: readonly string[];
}

interface HostPattern {
  host: string;
  /** Any port when absent. */
  port?: string;
}

const HOST = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** One CHASELINE_ALLOWED_VENDOR_HOSTS entry (`host`, `host:port`, `*.domain`, `[::1]:port`); null when it is none of these. */
function parseEntry(entry: string): HostPattern | null {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
  const host = match?.[1] ?? '';
  const port = match?.[2];
  if (!(HOST.test(host) || IPV6.test(host)) || (port !== undefined && Number(port) > 65535)) return null;
  return port === undefined ? { host } : { host, port: String(Number(port)) };
}

/** The comma-separated list, checked: throws naming the first entry that is not a host. */
export function parseAllowedHosts(list: string): string[] {
  const entries = list.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    if (!parseEntry(entry)) throw new Error(`"${entry}" is not a host, host:port or *.domain`);
  }
  return entries;
}

const hostMatches = (pattern: string, hostname: string) =>
  pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1 : hostname === pattern;

const defaultPort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** Why `value` may not carry the tenant's token, or null when it may. */
export function urlRefusal(value: string, urls: Pick<VendorUrls, 'vendor' | 'hosts'>, allowed: readonly string[] = []): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  const hostname = url.hostname.toLowerCase();
  const vendorOwn = url.protocol === 'https:' && url.port === '' && urls.hosts.some((p) => hostMatches(p, hostname));
  if (vendorOwn) return null;
  const operatorAllowed =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    allowed.some((entry) => {
      const p = parseEntry(entry);
      return p !== null && hostMatches(p.host, hostname) && (p.port === undefined || p.port === defaultPort(url));
    });
  if (operatorAllowed) return null;
  return `must be an https URL on ${urls.vendor}'s own domains (${urls.hosts.join(', ')}); another host needs the operator to allow it (CHASELINE_ALLOWED_VENDOR_HOSTS)`;
}

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);

/** Throws a VALIDATION error naming the field (`credentials.apiBaseUrl`) of the first URL in `credentials` that is not allowed. */
export function checkVendorUrls(credentials: unknown, urls: VendorUrls, allowed: readonly string[] = []): void {
  for (const field of urls.fields) {
    const value = at(credentials, field);
    if (value === undefined || value === null) continue;
    const refusal = typeof value === 'string' ? urlRefusal(value, urls, allowed) : 'must be a URL';
    if (refusal) throw new AppError('VALIDATION', `credentials.${field}: ${refusal}`, { field: `credentials.${field}`, retryable: false });
  }
}
