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
import { hostMatches, operatorAllowed } from '../core/common/hosts.ts';

export { parseAllowedHosts } from '../core/common/hosts.ts';

export interface VendorUrls {
  /** The vendor's name, for messages. */
  vendor: string;
  /** Its API hosts, reached over https on the default port: a name, or `*.example.com` for any name under example.com. */
  hosts: readonly string[];
  /** Where URLs sit in the credentials, as dotted paths (`apiBaseUrl`, `auth.instanceUrl`). */
  fields: readonly string[];
}

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
  if (operatorAllowed(url, allowed)) return null;
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
