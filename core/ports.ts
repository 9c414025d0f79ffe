/**
 * The ports: what core needs from the outside world. Connectors (connectors/*) implement
 * them; core never names a vendor (a lint rule holds it to that). Optional capabilities are optional members, tested for
 * before use.
 */

/**
 * A call's state in the engine's words. Each connector maps its carrier's own states onto
 * these (a carrier's "initiated" is queued, its "answered" in-progress…).
 */
export const callStates = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type CallState = (typeof callStates)[number];
/** The states a call never leaves. */
export const finalCallStates: ReadonlySet<string> = new Set<CallState>(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

/** Who (or what) picked up, when machine detection ran; `unknown` when it could not tell. */
export const answeredByValues = ['human', 'machine', 'fax', 'unknown'] as const;
export type AnsweredBy = (typeof answeredByValues)[number];

/**
 * What kind of line a number is, as a number lookup tells it. `voip` is an app or mobile-like
 * VoIP number that takes texts; `fixed-voip` is a cable-company line that behaves like a
 * landline; `other` is any other line that takes no texts (shared-cost, pager, voicemail-only…).
 */
export const lineTypes = ['mobile', 'landline', 'voip', 'fixed-voip', 'toll-free', 'premium', 'other'] as const;
export type LineType = (typeof lineTypes)[number];

/**
 * How a call on a line reaches the network: from the line's own number on the carrier, through
 * one of the carrier's trunks (the customer's own SIP connection, by the carrier's id of it),
 * or to a SIP address on the line's domain.
 */
export type LineRoute = { kind: 'number' } | { kind: 'trunk'; trunkId: string } | { kind: 'sip'; domain: string };

export interface PlaceCall {
  /** The attempt the call is for: the carrier's reports about the call carry it back to us. */
  attemptId: string;
  /** E.164 numbers: the person called, and the caller id. */
  to: string;
  from: string;
  route: LineRoute;
  /**
   * Answering-machine detection: the call's dialog starts at once, and the verdict (human,
   * machine…) is reported once the greeting has ended, so a voicemail starts after the beep.
   */
  detectMachine: boolean;
  /** Seconds to let it ring. */
  ringSeconds: number;
}

export interface CallInfo {
  /** The carrier's id of the call. */
  callId: string;
  status: CallState;
  answeredBy: AnsweredBy | null;
  durationSeconds: number | null;
}

/** A step a live call can be moved on to, whose content the dialog serves for the attempt. */
export type DialogStep = 'voicemail';

/** Phone calls through a carrier. */
export interface Telephony {
  /** Which connector places the calls (its registry id, or simulator): reports group attempts by it. */
  readonly name?: string;
  /** Places the one call of an attempt; the connector tells the carrier where to report on it. */
  placeCall(call: PlaceCall): Promise<CallInfo>;
  fetchCall(callId: string): Promise<CallInfo>;
  /** Cancels a call not yet answered, or hangs up one in progress. */
  endCall(callId: string): Promise<CallInfo>;
  /** Makes a call in progress continue with a step of the attempt's dialog (e.g. the voicemail once a machine answered). */
  continueCall(call: { callId: string; attemptId: string }, step: DialogStep): Promise<void>;
  /**
   * Calls to `to` from `from` started at or after `since`. Used by the reaper to learn whether a
   * call was placed for an attempt whose worker died.
   */
  findCalls?(query: { to: string; from: string; since: Date }): Promise<CallInfo[]>;
}

export interface SendSms {
  /** Ours: the attempt the text belongs to; the carrier's delivery reports carry it back. */
  messageRef: string;
  to: string;
  from: string;
  body: string;
}

/** Text messages. */
export interface Messaging {
  sendSms(message: SendSms): Promise<{ messageId: string; status: string }>;
}

export interface NumberInfo {
  valid: boolean;
  /** Null when the carrier does not say. */
  lineType: LineType | null;
  country: string | null;
}

/** Number quality: validity and line type, from the carrier's lookup. */
export interface NumberLookup {
  lookup(e164: string): Promise<NumberInfo>;
}

/** What a carrier reported about a call: a status change (its final one carries the duration). */
export interface CallProgress {
  attemptId: string;
  callId: string;
  status: CallState;
  answeredBy?: AnsweredBy | null;
  durationSeconds?: number | null;
}

/** The answering-machine detection's verdict on a call. */
export interface MachineVerdict {
  attemptId: string;
  callId: string;
  answeredBy: AnsweredBy;
}

/**
 * A text's state in the engine's words: still on its way (`queued`), handed on by the carrier
 * (`sent`), then `delivered`, `undelivered` (the network could not deliver it) or `failed`.
 */
export const messageStates = ['queued', 'sent', 'delivered', 'undelivered', 'failed'] as const;
export type MessageState = (typeof messageStates)[number];

/** A delivery report on a text we sent; `errorCode` is the carrier's, kept for reports. */
export interface MessageStatus {
  attemptId: string;
  messageId: string;
  status: MessageState;
  errorCode: string | null;
}

/** A text someone sent to one of our lines. */
export interface InboundMessage {
  messageId: string;
  /** E.164. */
  from: string;
  /** Our line: a number, or a short code. */
  to: string;
  body: string;
}

/** Checks that an inbound webhook comes from the vendor. */
export interface WebhookVerifier {
  verify(signature: string, url: string, params: Record<string, string>): boolean;
}

export interface Clock {
  now(): Date;
}

export interface SpeechRequest {
  text?: string;
  ssml?: string;
  languageCode: string;
  voiceName?: string;
  speakingRate?: number;
  pitch?: number;
}
/** Text-to-speech (https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize). */
export interface Speech {
  synthesize(request: SpeechRequest): Promise<{ audio: Buffer; contentType: string }>;
}

/** A contact as a CRM holds it, mapped to what Chaseline needs; the number as written there. */
export interface CrmContact {
  externalId: string;
  phone: import('./phone/phone.ts').RawPhone | null;
  name: string | null;
  tags: string[];
  /** The CRM says not to call (HubSpot's configured property, Salesforce's DoNotCall). */
  doNotCall: boolean;
  /** The CRM's last change, ISO: the source's timestamp for last-writer-wins. */
  updatedAt: string;
}

/**
 * Where an incremental pull resumes: the connector's own JSON (the change time reached, the
 * records already read at that time, per object…), saved as it is after every page; null
 * for a first sync.
 */
export type CrmCursor = Record<string, unknown>;

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
  /** The chase the call belonged to, for CRMs that keep it on the activity. */
  chaseId?: string;
  /** What the call came to, finer than `outcome`: interested, refused, callback, machine… */
  result?: string;
  /** The intent understood in the call (price_question, not_interested…), if any. */
  intent?: string | null;
}

/** One SMS Chaseline sent, as a native activity on the CRM record. */
export interface MessageActivity {
  externalContactId: string;
  at: Date;
  body: string;
  from: string;
  to: string;
  messageSid: string | null;
}

/**
 * Where the contact's chasing stands after a chase ended, kept on the CRM record (HubSpot
 * contact properties, Shopify customer metafields) for RevOps to report on. No PII.
 */
export interface ChaseResult {
  /** The chase's outcome (interested, refused, unreached, sms-sent…) or, with none, how it ended (canceled, expired, opted-out). */
  outcome: string;
  /** When the chase ended (ISO 8601). */
  endedAt: string;
  /** Calls and texts placed to this contact, all chases together. */
  attempts: number;
  /** The name of the campaign the chase belonged to. */
  campaign: string;
  /** The chase that ended, for CRMs that announce it (a Salesforce platform event). */
  chaseId?: string;
}

/**
 * A vendor's automation step that waits for a chase (a CRM workflow action that blocks its
 * enrollment) completed with the chase's result, so the workflow can branch on it. No PII.
 */
export interface CallbackCompletion {
  /** The vendor's id of the waiting step. */
  callbackId: string;
  /** The chase ended as planned (completed, or canceled by the order it chased), rather than failed or expired. */
  succeeded: boolean;
  /** The chase's outcome, or how it ended when it has none. */
  outcome: string;
  /** The last intent understood on its calls. */
  intent: string | null;
  /** Revenue the chase recovered (an order that followed it), in `currency`. */
  recoveredRevenue: number | null;
  currency: string | null;
}

/**
 * A change Chaseline writes back to a vendor, one per outbox row. `externalId` is the
 * vendor's id of the record (a CRM contact or lead, a store's customer); `order-note` names
 * the store's order.
 */
export type WriteBack =
  | { kind: 'call'; call: CallActivity }
  | { kind: 'sms'; message: MessageActivity }
  | { kind: 'opt-out'; externalId: string; channel: 'voice' | 'sms' | 'all' }
  | { kind: 'tags'; externalId: string; add: string[] }
  | { kind: 'order-note'; orderId: string; note: string }
  | { kind: 'chase-result'; externalId: string; result: ChaseResult }
  | { kind: 'callback-complete'; completion: CallbackCompletion };
export type WriteBackKind = WriteBack['kind'];

/**
 * What became of one write-back: `done` (with the vendor's id of what was created, if any);
 * `skipped` when the vendor has no such thing (a store has no call activities); `rejected`
 * when the vendor refused this item for good (the record was deleted, a field is invalid):
 * retrying cannot help, so it goes to the dead-letter at once.
 */
export type WriteBackResult = { status: 'done'; vendorId?: string } | { status: 'skipped' } | { status: 'rejected'; error: string };

/** A vendor Chaseline writes back to (CRMs, stores). */
export interface WriteBackTarget {
  /**
   * Applies the items in as few requests as the vendor's batch sizes allow; one result per
   * item, in order. Throws (an AppError, retryable or not) when the vendor could not be
   * reached or refused the whole request: the outbox then retries every item with backoff.
   * When earlier requests of the call went through before one failed, the error's
   * `details.partial` says so (one entry per item: its result, or null where nothing was
   * written), and only the null ones are retried — an activity is never created twice.
   */
  writeBack(items: WriteBack[]): Promise<WriteBackResult[]>;
}

/** Builds a tenant's connector of `type` as a write-back target, or null when it has none (the registry's business, handed in at boot). */
export type WriteBackTargetFor = (tenantId: string, type: string) => Promise<WriteBackTarget | null>;

/**
 * A CRM: contacts pulled incrementally, Chaseline's calls, texts, opt-outs and tags written
 * back (HubSpot https://developers.hubspot.com/docs/api/crm/calls, Salesforce Task).
 */
export interface CrmConnector extends WriteBackTarget {
  /** Pages of contacts changed since the cursor, oldest first, each with the cursor to resume after it. */
  pullContacts(cursor: CrmCursor | null): AsyncIterable<{ contacts: CrmContact[]; cursor: CrmCursor }>;
}

/** Builds a tenant's CRM connector of `type`, or null when it has none (the registry's business, handed in at boot). */
export type CrmConnectorFor = (tenantId: string, type: string) => Promise<CrmConnector | null>;
