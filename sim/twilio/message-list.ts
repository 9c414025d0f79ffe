// GET Messages.json: the account's messages (sent, received and replies), newest first,
// filtered by To, From and the day-granular DateSent filters, paged by token as Twilio does.
// https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
import { first, type Params } from './contract.ts';
import type { SimMessage } from './messages.ts';
import { dateFilter, listPage } from './paging.ts';

export function listMessages(messages: SimMessage[], params: Params, path: string, toJson: (m: SimMessage) => unknown) {
  const to = first(params, 'To');
  const from = first(params, 'From');
  const sent = dateFilter<SimMessage>(params, 'DateSent', (m) => m.dateSent);
  const matching = messages.filter((m) => (to === undefined || m.to === to) && (from === undefined || m.from === from) && sent(m)).reverse();
  return listPage(matching, params, path, 'messages', /^SM[0-9a-f]{32}$/, toJson);
}
