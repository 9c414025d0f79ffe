// The Account resource as GET /2010-04-01/Accounts/{Sid}.json returns it
// (components/schemas/api.v2010.account): what a client fetches to learn whether its
// credentials work. Like Twilio, it includes the auth token the request authenticated with.
import { rfc2822 } from './clock.ts';

const SUBRESOURCES: Record<string, string> = {
  available_phone_numbers: 'AvailablePhoneNumbers',
  calls: 'Calls',
  conferences: 'Conferences',
  incoming_phone_numbers: 'IncomingPhoneNumbers',
  notifications: 'Notifications',
  outgoing_caller_ids: 'OutgoingCallerIds',
  recordings: 'Recordings',
  transcriptions: 'Transcriptions',
  addresses: 'Addresses',
  signing_keys: 'SigningKeys',
  connect_apps: 'ConnectApps',
  sip: 'SIP',
  authorized_connect_apps: 'AuthorizedConnectApps',
  usage: 'Usage',
  keys: 'Keys',
  applications: 'Applications',
  short_codes: 'SMS/ShortCodes',
  queues: 'Queues',
  messages: 'Messages',
  balance: 'Balance',
};

export function accountJson(accountSid: string, authToken: string, created: Date) {
  const base = `/2010-04-01/Accounts/${accountSid}`;
  return {
    auth_token: authToken,
    date_created: rfc2822(created),
    date_updated: rfc2822(created),
    friendly_name: 'Chaseline simulator',
    owner_account_sid: accountSid,
    sid: accountSid,
    status: 'active',
    subresource_uris: Object.fromEntries(Object.entries(SUBRESOURCES).map(([key, path]) => [key, `${base}/${path}.json`])),
    type: 'Full',
    uri: `${base}.json`,
  };
}
