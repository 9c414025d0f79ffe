// GET Calls.json: the account's calls, newest first, filtered and paged as Twilio does.
// https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources
//
// The date filters (StartTime, StartTime<, StartTime>, and the same for EndTime) have
// DATE granularity, as the contract documents ("a date as YYYY-MM-DD in UTC"): a full
// timestamp — which is what the SDK sends for a Date — counts only for its UTC day. So
// `StartTime>` returns a superset, and a client wanting "since 14:03:07" must filter the
// rest itself, as it would have to against real Twilio.
import type { SimCall } from './calls.ts';
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

/** "on this date", "before this date", "on or after this date" against a call time; a call without that time never matches. */
function dateFilter(params: Params, field: 'StartTime' | 'EndTime', time: (c: SimCall) => Date | null) {
  // Parsed up front, so a bad date is a 400 even when no call would be compared with it.
  const bound = (suffix: string) => {
    const value = first(params, field + suffix);
    return value === undefined ? undefined : day(field + suffix, value);
  };
  const [on, before, after] = [bound(''), bound('<'), bound('>')];
  return (c: SimCall) => {
    if (on === undefined && before === undefined && after === undefined) return true;
    const d = time(c)?.toISOString().slice(0, 10);
    return d !== undefined && (on === undefined || d === on) && (before === undefined || d < before) && (after === undefined || d >= after);
  };
}

/**
 * One page of the list. `calls` are in creation order (the store's); `path` is the list's
 * path for this account; `toJson` is the single-call fetch JSON.
 */
export function listCalls(calls: SimCall[], params: Params, path: string, toJson: (c: SimCall) => unknown) {
  const to = first(params, 'To');
  const from = first(params, 'From');
  const status = first(params, 'Status');
  const parent = first(params, 'ParentCallSid');
  const started = dateFilter(params, 'StartTime', (c) => c.startTime);
  const ended = dateFilter(params, 'EndTime', (c) => c.endTime);
  const matching = calls
    .filter((c) => (to === undefined || c.to === to) && (from === undefined || c.from === from) && (status === undefined || c.status === status))
    .filter((c) => parent === undefined && started(c) && ended(c)) // the sim keeps no child legs, so ParentCallSid matches none
    .reverse();

  const pageSize = Number(first(params, 'PageSize') ?? DEFAULT_PAGE_SIZE);
  const page = Number(first(params, 'Page') ?? 0);
  // Twilio pages by token — PA<sid>: after that call, PB<sid>: before it — so new calls
  // arriving while a client pages do not shift what it has not read yet.
  const token = first(params, 'PageToken');
  let start = page * pageSize;
  if (token !== undefined) {
    const at = /^P[AB]CA[0-9a-f]{32}$/.test(token) ? matching.findIndex((c) => c.sid === token.slice(2)) : -1;
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
    calls: items.map(toJson),
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
