/**
 * The ports: what core needs from the outside world. Connectors (connectors/*) implement
 * them; core never names a vendor. Optional capabilities are optional members, tested for
 * before use.
 */

/** Call states as carriers report them (Twilio's CallStatus values). */
export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface PlaceCall {
  /** E.164 numbers. */
  to: string;
  from: string;
  /** Where the carrier fetches the call's instructions (TwiML). */
  url: string;
  /** Where the carrier reports status changes; carries our attempt id. */
  statusCallback: string;
  /**
   * Asynchronous answering-machine detection: the call's instructions start at once, and the
   * verdict (human, machine…) is posted to this URL once the greeting has ended.
   */
  machineDetection?: { resultCallback: string };
  /** A BYOC trunk (Twilio's `Byoc`, BY…) to route the call through. */
  byoc?: string;
  /** Seconds to let it ring. */
  timeoutSeconds?: number;
}

export interface CallInfo {
  sid: string;
  status: CallStatus;
  /** human, machine_start, fax… when machine detection ran. */
  answeredBy: string | null;
  durationSeconds: number | null;
}

/**
 * Phone calls through a carrier (https://www.twilio.com/docs/voice/api/call-resource).
 */
export interface Telephony {
  placeCall(call: PlaceCall): Promise<CallInfo>;
  fetchCall(sid: string): Promise<CallInfo>;
  /** Cancels a call not yet answered, or hangs up one in progress. */
  endCall(sid: string): Promise<CallInfo>;
  /** Makes a call in progress continue with the instructions at `url` (e.g. a voicemail once a machine answered). */
  redirectCall(sid: string, url: string): Promise<void>;
  /** Calls to `to` from `from` started at or after `since` (https://www.twilio.com/docs/voice/api/call-resource#read-multiple-call-resources). Used by the reaper to learn whether a call was placed for an attempt whose worker died. */
  findCalls?(query: { to: string; from: string; since: Date }): Promise<CallInfo[]>;
}

export interface SendSms {
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
}

/** Text messages (https://www.twilio.com/docs/messaging/api/message-resource). */
export interface Messaging {
  sendSms(message: SendSms): Promise<{ sid: string; status: string }>;
}

export interface NumberInfo {
  valid: boolean;
  /** mobile, landline, fixedVoip, nonFixedVoip, tollFree… or null when the carrier does not say. */
  lineType: string | null;
  country: string | null;
}

/** Number quality (https://www.twilio.com/docs/lookup/v2-api). */
export interface NumberLookup {
  lookup(e164: string): Promise<NumberInfo>;
}

/** Checks that an inbound webhook comes from the vendor. */
export interface WebhookVerifier {
  verify(signature: string, url: string, params: Record<string, string>): boolean;
}

export interface Clock {
  now(): Date;
}

export interface SpeechRequest { text?: string; ssml?: string; languageCode: string; voiceName?: string; speakingRate?: number; pitch?: number }
/** Text-to-speech (https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize). */
export interface Speech { synthesize(request: SpeechRequest): Promise<{ audio: Buffer; contentType: string }> }

/** A contact as a CRM holds it, mapped to what Chaseline needs; the number as written there. */
export interface CrmContact {
  externalId: string;
  phone: { raw: string; country: string | null } | null;
  name: string | null;
  tags: string[];
  /** The CRM says not to call (HubSpot's configured property, Salesforce's DoNotCall). */
  doNotCall: boolean;
  /** The CRM's last change, ISO: the source's timestamp for last-writer-wins. */
  updatedAt: string;
}

/** Where an incremental pull resumes: the CRM's change time reached, and the records already read at exactly that time. */
export interface CrmCursor {
  since: string | null;
  seenAtSince: string[];
}

/** One call, as a native activity on the CRM record. */
export interface CallActivity {
  externalContactId: string;
  at: Date;
  title: string;
  body: string;
  outcome: 'answered' | 'no-answer' | 'busy' | 'failed' | 'machine' | 'wrong-number';
  durationSeconds: number | null;
  from: string;
  to: string;
  callSid: string | null;
  recordingUrl?: string;
}

/**
 * A CRM: contacts pulled incrementally, calls written back as activities
 * (HubSpot https://developers.hubspot.com/docs/api/crm/calls, Salesforce Task).
 */
export interface CrmConnector {
  /** Pages of contacts changed since the cursor, oldest first, each with the cursor to resume after it. */
  pullContacts(cursor: CrmCursor): AsyncIterable<{ contacts: CrmContact[]; cursor: CrmCursor }>;
  /** Creates the activities in as few requests as the CRM's batch size allows; returns their ids in order. */
  logCalls(calls: CallActivity[]): Promise<string[]>;
}
