// Salesforce record ids: a 3-character key prefix (003 Contact, 00Q Lead, 00T Task, 01g
// query locator, 750 bulk job, 005 user, 00D org), a 2-character pod, a reserved '0' and a
// 9-character base62 counter — 15 case-sensitive characters — plus the 3-character suffix
// that makes the id case-insensitive (18 characters), computed the way Salesforce does.
// Counters use 0-9A-Za-z so plain string order is creation order, as ORDER BY Id expects.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIX = {
  Contact: '003',
  Lead: '00Q',
  Task: '00T',
  User: '005',
  Org: '00D',
  QueryLocator: '01g',
  BulkJob: '750',
  PlatformEvent: 'e00',
} as const;

/** Appends the case-safe suffix: one character per 5-character chunk, a bit per uppercase letter. */
export function to18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return id15 + suffix;
}

/**
 * The canonical 18-character form of a 15-character id (case-sensitive) or of an
 * 18-character one in any case (the suffix says which letters are upper case); undefined
 * for anything else.
 */
export function normaliseId(id: string): string | undefined {
  if (/^[0-9A-Za-z]{15}$/.test(id)) return to18(id);
  if (!/^[0-9A-Za-z]{18}$/.test(id)) return undefined;
  let base = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX.indexOf(id.charAt(15 + chunk).toUpperCase());
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(chunk * 5 + i);
      base += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return to18(base);
}

export function makeIdFactory(pod = '5g') {
  let counter = 1000;
  return (prefix: string): string => {
    let n = counter++;
    let digits = '';
    for (let i = 0; i < 9; i++) {
      digits = BASE62.charAt(n % 62) + digits;
      n = Math.floor(n / 62);
    }
    return to18(`${prefix}${pod}0${digits}`);
  };
}
