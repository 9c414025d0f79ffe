// CRM search (POST /crm/v3/objects/{type}/search) as HubSpot evaluates it: filters in a
// group are ANDed, groups are ORed; one sort; `limit` up to 200; `after` is an offset;
// and no page may start at or past the 10,000th result — HubSpot answers 400 there even
// though `total` counts everything and the page before still offers `after: "10000"`.
// https://developers.hubspot.com/docs/api/crm/search
import { validation } from './errors.ts';
import { parseTime, toJson, type CrmObject, type ObjectType } from './store.ts';

export const SEARCH_RESULT_CAP = 10_000;
const MAX_LIMIT = 200;
const MAX_GROUPS = 6; // the contract: "Up to 6 groups of filters"
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;

interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}
type Sort = string | { propertyName: string; direction?: 'ASCENDING' | 'DESCENDING' };
export interface SearchRequest {
  filterGroups?: { filters: Filter[] }[];
  sorts?: Sort[];
  properties?: string[];
  limit?: number;
  after?: string;
  query?: string;
}

/** Default full-text fields of `query` (HubSpot's are similar: name, email, phone, company). */
const QUERY_FIELDS = ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'hs_call_title', 'hs_call_body'];

export function search(objects: CrmObject[], type: ObjectType, req: SearchRequest) {
  const limit = req.limit ?? 10;
  if (limit < 0 || limit > MAX_LIMIT) throw validation(`limit must be between 0 and ${MAX_LIMIT}, got ${limit}`);
  const offset = req.after === undefined || req.after === '' ? 0 : Number(req.after);
  if (!Number.isInteger(offset) || offset < 0) throw validation(`after "${req.after}" is not a valid paging cursor`);
  if (offset >= SEARCH_RESULT_CAP) {
    throw validation(`Paging past ${SEARCH_RESULT_CAP} results is not supported by the search API: narrow the filters (e.g. by hs_lastmodifieddate) instead.`, {
      context: { after: [String(req.after)] },
    });
  }
  const groups = req.filterGroups ?? [];
  const filterCount = groups.reduce((n, g) => n + g.filters.length, 0);
  if (groups.length > MAX_GROUPS || groups.some((g) => g.filters.length > MAX_FILTERS_PER_GROUP) || filterCount > MAX_FILTERS) {
    throw validation(`Too many filters: at most ${MAX_GROUPS} filterGroups, ${MAX_FILTERS_PER_GROUP} filters in a group and ${MAX_FILTERS} in all`);
  }
  for (const f of groups.flatMap((g) => g.filters)) checkFilter(f);
  if ((req.sorts?.length ?? 0) > 1) throw validation('Only one sort is allowed per search request');

  const q = req.query?.trim().toLowerCase();
  let hits = objects.filter(
    (o) =>
      (!groups.length || groups.some((g) => g.filters.every((f) => matches(o, f)))) &&
      (!q || QUERY_FIELDS.some((p) => o.properties[p]?.toLowerCase().includes(q))),
  );
  const sort = req.sorts?.[0];
  const by = typeof sort === 'string' ? { propertyName: sort, direction: 'ASCENDING' } : sort;
  hits = hits.sort((a, b) => {
    if (by) {
      const c = compare(a.properties[by.propertyName], b.properties[by.propertyName]);
      if (c) return by.direction === 'DESCENDING' ? -c : c;
    }
    return Number(a.id) - Number(b.id); // stable tie-break, as ids are
  });
  const page = hits.slice(offset, offset + limit);
  const next = offset + limit;
  return {
    total: hits.length,
    results: page.map((o) => toJson(o, type, req.properties)),
    ...(next < hits.length ? { paging: { next: { after: String(next), link: `?after=${next}` } } } : {}),
  };
}

function checkFilter(f: Filter) {
  const needs = (what: boolean, msg: string) => {
    if (!what) throw validation(`filter on ${f.propertyName} with ${f.operator}: ${msg}`);
  };
  switch (f.operator) {
    case 'BETWEEN':
      return needs(f.value !== undefined && f.highValue !== undefined, 'value and highValue are required');
    case 'IN':
    case 'NOT_IN':
      return needs(Array.isArray(f.values) && f.values.length > 0, 'values is required');
    case 'HAS_PROPERTY':
    case 'NOT_HAS_PROPERTY':
      return;
    default:
      return needs(f.value !== undefined, 'value is required');
  }
}

/** Numbers and datetimes compare by value (ms epoch or ISO, either side); the rest as text. */
function compare(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1; // unset sorts last
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x - y;
  return a.toLowerCase().localeCompare(b.toLowerCase());
}

function asNumber(v: string): number | null {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = parseTime(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function matches(o: CrmObject, f: Filter): boolean {
  const actual = o.properties[f.propertyName];
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return actual !== undefined;
    case 'NOT_HAS_PROPERTY':
      return actual === undefined;
    case 'NEQ':
      return actual === undefined || compare(actual, f.value) !== 0;
    case 'IN':
      return actual !== undefined && (f.values ?? []).some((v) => compare(actual, v) === 0);
    case 'NOT_IN':
      return actual === undefined || !(f.values ?? []).some((v) => compare(actual, v) === 0);
    case 'CONTAINS_TOKEN':
      return actual !== undefined && tokenMatch(actual, f.value ?? '');
    case 'NOT_CONTAINS_TOKEN':
      return actual === undefined || !tokenMatch(actual, f.value ?? '');
  }
  if (actual === undefined) return false;
  const c = compare(actual, f.value);
  switch (f.operator) {
    case 'EQ':
      return c === 0;
    case 'GT':
      return c > 0;
    case 'GTE':
      return c >= 0;
    case 'LT':
      return c < 0;
    case 'LTE':
      return c <= 0;
    case 'BETWEEN':
      return c >= 0 && compare(actual, f.highValue) <= 0;
    default:
      return false;
  }
}

/** CONTAINS_TOKEN: a whole word, `*` as a wildcard (HubSpot's `*@example.com`). */
function tokenMatch(actual: string, token: string): boolean {
  const re = new RegExp(
    `^${token
      .toLowerCase()
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (
    actual
      .toLowerCase()
      .split(/[\s,;]+/)
      .some((w) => re.test(w)) || re.test(actual.toLowerCase())
  );
}
