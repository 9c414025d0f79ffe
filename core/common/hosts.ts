/**
 * Operator-allowed hosts (CHASELINE_ALLOWED_VENDOR_HOSTS, CHASELINE_ALLOWED_EVENT_HOSTS): entries
 * `host`, `host:port`, `*.domain` or `[::1]:port` naming where the server may send requests
 * besides the places it trusts by default (simulators, sandboxes, an internal receiver).
 */

interface HostPattern {
  host: string;
  /** Any port when absent. */
  port?: string;
}

const HOST = /^(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** One entry (`host`, `host:port`, `*.domain`, `[::1]:port`); null when it is none of these. */
function parseEntry(entry: string): HostPattern | null {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
  const host = match?.[1] ?? '';
  const port = match?.[2];
  if (!(HOST.test(host) || IPV6.test(host)) || (port !== undefined && Number(port) > 65535)) return null;
  return port === undefined ? { host } : { host, port: String(Number(port)) };
}

/** The comma-separated list, checked: throws naming the first entry that is not a host. */
export function parseAllowedHosts(list: string): string[] {
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!parseEntry(entry)) throw new Error(`"${entry}" is not a host, host:port or *.domain`);
  }
  return entries;
}

/** `pattern` (a name, or `*.example.com` for any name under example.com) matches `hostname`. */
export const hostMatches = (pattern: string, hostname: string) =>
  pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) && hostname.length > pattern.length - 1 : hostname === pattern;

const defaultPort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** An http(s) URL whose host (and port) one of the operator's entries names. */
export function operatorAllowed(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    allowed.some((entry) => {
      const p = parseEntry(entry);
      return p !== null && hostMatches(p.host, hostname) && (p.port === undefined || p.port === defaultPort(url));
    })
  );
}
