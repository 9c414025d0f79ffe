// GET Messages.json: the account's messages (sent, received and replies), newest first,
// filtered by To, From and the day-granular DateSent filters, paged by token as Twilio does.
// https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
import { first, type Params } from './contract.ts';
import { badParam } from './errors.ts';
import type { SimMessage } from './messages.ts';

const DEFAULT_PAGE_SIZE = 50;
const PAGING = new Set(['Page', 'PageSize', 'PageToken']);

function day(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badParam(20001, `Invalid ${name}: "${value}" is not a date (use YYYY-MM-DD)`);
  return date.toISOString().slice(0, 10);
}

export function listMessages(messages: SimMessage[], params: Params, path: string, toJson: (m: SimMessage) => unknown) {
  const to = first(params, 'To');
  const from = first(params, 'From');
  const [on, before, after] = ['DateSent', 'DateSent<', 'DateSent>'].map((n) => day(n, first(params, n)));
  const sentMatches = (m: SimMessage) => {
    if (on === undefined && before === undefined && after === undefined) return true;
    const d = m.dateSent?.toISOString().slice(0, 10);
    return d !== undefined && (on === undefined || d === on) && (before === undefined || d < before) && (after === undefined || d >= after);
  };
  const matching = messages.filter((m) => (to === undefined || m.to === to) && (from === undefined || m.from === from) && sentMatches(m)).reverse();

  const pageSize = Number(first(params, 'PageSize') ?? DEFAULT_PAGE_SIZE);
  const page = Number(first(params, 'Page') ?? 0);
  const token = first(params, 'PageToken');
  let start = page * pageSize;
  if (token !== undefined) {
    const at = /^P[AB]SM[0-9a-f]{32}$/.test(token) ? matching.findIndex((m) => m.sid === token.slice(2)) : -1;
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
    messages: items.map(toJson),
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
