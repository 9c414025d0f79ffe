// What Twilio's list endpoints share: day-granular date filters and token paging.
//
// The date filters (StartTime<, DateSent>, …) have DATE granularity, as the contract
// documents ("a date as YYYY-MM-DD in UTC"): a full timestamp — which is what the SDK sends
// for a Date — counts only for its UTC day.
import { first, type Params } from './contract.ts';
import { badParam } from './errors.ts';

const DEFAULT_PAGE_SIZE = 50; // the contract's default; its maximum (1000) is checked by validateForm
const PAGING = new Set(['Page', 'PageSize', 'PageToken']);

/** The UTC day of a filter value ('2024-05-02' or any parseable timestamp), or a 400. */
function day(name: string, value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badParam(20001, `Invalid ${name}: "${value}" is not a date (use YYYY-MM-DD)`);
  return date.toISOString().slice(0, 10);
}

/** "on this date", "before this date", "on or after this date" against an item's time; an item without that time never matches. */
export function dateFilter<T>(params: Params, field: string, time: (item: T) => Date | null | undefined): (item: T) => boolean {
  // Parsed up front, so a bad date is a 400 even when nothing would be compared with it.
  const bound = (suffix: string) => {
    const value = first(params, field + suffix);
    return value === undefined ? undefined : day(field + suffix, value);
  };
  const [on, before, after] = [bound(''), bound('<'), bound('>')];
  return (item: T) => {
    if (on === undefined && before === undefined && after === undefined) return true;
    const d = time(item)?.toISOString().slice(0, 10);
    return d !== undefined && (on === undefined || d === on) && (before === undefined || d < before) && (after === undefined || d >= after);
  };
}

/**
 * One page of `matching` (newest first) under `key`. Twilio pages by token — PA<sid>: after
 * that item, PB<sid>: before it — so items arriving while a client pages do not shift what
 * it has not read yet. `sidPattern` matches the sids of this list (CA…, SM…).
 */
export function listPage<T extends { sid: string }>(
  matching: T[],
  params: Params,
  path: string,
  key: string,
  sidPattern: RegExp,
  toJson: (item: T) => unknown,
) {
  const pageSize = Number(first(params, 'PageSize') ?? DEFAULT_PAGE_SIZE);
  const page = Number(first(params, 'Page') ?? 0);
  const token = first(params, 'PageToken');
  let start = page * pageSize;
  if (token !== undefined) {
    const at = /^P[AB]/.test(token) && sidPattern.test(token.slice(2)) ? matching.findIndex((m) => m.sid === token.slice(2)) : -1;
    if (at < 0) throw badParam(20001, `Invalid PageToken: ${token}`);
    start = token.startsWith('PA') ? at + 1 : Math.max(0, at - pageSize);
  }
  const items = matching.slice(start, start + pageSize);
  const filters = [...params].filter(([name]) => !PAGING.has(name)).flatMap(([name, values]) => values.map((v) => [name, v]));
  const uri = (p: number, pageToken?: string) =>
    `${path}?${new URLSearchParams([...filters, ['PageSize', String(pageSize)], ['Page', String(p)], ...(pageToken ? [['PageToken', pageToken]] : [])])}`;
  const last = items.at(-1);
  const firstItem = items[0];
  return {
    [key]: items.map(toJson),
    end: Math.max(start, start + items.length - 1),
    first_page_uri: uri(0),
    next_page_uri: last && start + items.length < matching.length ? uri(page + 1, `PA${last.sid}`) : null,
    page,
    page_size: pageSize,
    previous_page_uri: firstItem && page > 0 && start > 0 ? uri(page - 1, `PB${firstItem.sid}`) : null,
    start,
    uri: uri(page, token),
  };
}
