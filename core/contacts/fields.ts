/** Checks shared by the API and the import for the non-phone contact fields. */
import { isRegionCode } from '../phone/phone.ts';

const zoneCache = new Map<string, string | null>();

/** The canonical IANA name of a time zone, or null when the runtime does not know it. */
export function canonicalTimeZone(value: string): string | null {
  const cached = zoneCache.get(value);
  if (cached !== undefined) return cached;
  let zone: string | null;
  try {
    zone = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    zone = null;
  }
  zoneCache.set(value, zone);
  return zone;
}

// Deliberately permissive (RFC 5322 is wider than anyone types); rejects what is clearly not an address.
const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]{2,}$/u;

export const isEmail = (value: string): boolean => value.length <= 254 && EMAIL.test(value);

export function canonicalCountry(value: string): string | null {
  const upper = value.trim().toUpperCase();
  return isRegionCode(upper) ? upper : null;
}

/** Splits a tag cell: commas, semicolons, pipes and their CJK forms separate tags. */
export function splitTags(cell: string): string[] {
  return [
    ...new Set(
      cell
        .split(/[,;|，；、｜]/u)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}
