// The Call resource as the REST API returns it (components/schemas/api.v2010.account.call):
// snake_case, RFC 2822 dates, durations as strings.
import { rfc2822 } from './clock.ts';
import type { SimCall } from './calls.ts';

const SUBRESOURCES = [
  'notifications',
  'recordings',
  'payments',
  'events',
  'siprec',
  'streams',
  'transcriptions',
  'user_defined_message_subscriptions',
  'user_defined_messages',
];
const pascal = (s: string) => s.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());

export function callJson(call: SimCall, accountSid: string, dateUpdated: Date) {
  const uri = `/2010-04-01/Accounts/${accountSid}/Calls/${call.sid}`;
  // Talk time: empty for busy, failed, unanswered or ongoing calls, as the contract says.
  const duration = call.answerTime && call.endTime ? Math.round((call.endTime.getTime() - call.answerTime.getTime()) / 1000) : null;
  const initiated = call.history.find((h) => h.status === 'initiated')?.at ?? call.dateCreated;
  return {
    sid: call.sid,
    date_created: rfc2822(call.dateCreated),
    date_updated: rfc2822(dateUpdated),
    parent_call_sid: null,
    account_sid: accountSid,
    to: call.to,
    to_formatted: call.to,
    from: call.from,
    from_formatted: call.from,
    phone_number_sid: null,
    status: call.status,
    // "Empty if the call has not yet been dialed": set when it leaves the queue, not on answer.
    start_time: call.startTime ? rfc2822(call.startTime) : null,
    end_time: call.endTime ? rfc2822(call.endTime) : null,
    duration: duration === null ? null : String(duration),
    price: null,
    price_unit: 'USD',
    direction: 'outbound-api',
    answered_by: call.answeredBy,
    api_version: '2010-04-01',
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    // Milliseconds the call waited in the account's queue (the 1 CPS limit).
    queue_time: String(Math.max(0, initiated.getTime() - call.dateCreated.getTime())),
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: Object.fromEntries(SUBRESOURCES.map((s) => [s, `${uri}/${pascal(s)}.json`])),
  };
}
