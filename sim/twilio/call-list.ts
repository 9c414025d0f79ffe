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
import { dateFilter, listPage } from './paging.ts';

/**
 * One page of the list. `calls` are in creation order (the store's); `path` is the list's
 * path for this account; `toJson` is the single-call fetch JSON.
 */
export function listCalls(calls: SimCall[], params: Params, path: string, toJson: (c: SimCall) => unknown) {
  const to = first(params, 'To');
  const from = first(params, 'From');
  const status = first(params, 'Status');
  const parent = first(params, 'ParentCallSid');
  const started = dateFilter<SimCall>(params, 'StartTime', (c) => c.startTime);
  const ended = dateFilter<SimCall>(params, 'EndTime', (c) => c.endTime);
  const matching = calls
    .filter((c) => (to === undefined || c.to === to) && (from === undefined || c.from === from) && (status === undefined || c.status === status))
    .filter((c) => parent === undefined && started(c) && ended(c)) // the sim keeps no child legs, so ParentCallSid matches none
    .reverse();

  return listPage(matching, params, path, 'calls', /^CA[0-9a-f]{32}$/, toJson);
}
