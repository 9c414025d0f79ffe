// The Message resource: queued (or accepted, via a Messaging Service) → sent →
// delivered | undelivered, or failed, with a signed status callback per change.
// https://www.twilio.com/docs/messaging/api/message-resource
import { rfc2822, type SimClock } from './clock.ts';
import { first, type Params } from './contract.ts';
import { newSid } from './calls.ts';
import type { SmsOutcome } from './profiles.ts';
import { sendWebhook } from './webhook.ts';

export type MessageDirection = 'outbound-api' | 'inbound' | 'outbound-reply';

export interface SimMessage {
  sid: string;
  /** `inbound`: received through `receiveSms`; `outbound-reply`: a <Message> in the app's answer to one. */
  direction: MessageDirection;
  to: string;
  from: string | null;
  body: string;
  messagingServiceSid: string | null;
  request: Record<string, string[]>;
  status: string;
  history: { status: string; at: Date }[];
  errorCode: number | null;
  callbacks: { messageStatus: string; url: string; response: number | string }[];
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

/** Twilio's delivery error codes for the unhappy endings. */
const ERROR_CODES: Record<SmsOutcome, number | null> = { delivered: null, undelivered: 30003, failed: 30008 };

export function segmentsOf(body: string): number {
  // GSM-7 fits 160 characters (153 per part); anything else is UCS-2: 70 (67).
  const gsm = /^[\n\r !"#$%&'()*+,\-./0-9:;<=>?@A-Z_a-z£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/.test(body);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  const length = [...body].length;
  return length <= single ? 1 : Math.ceil(length / part);
}

export class MessageStore {
  readonly messages: SimMessage[] = [];
  private readonly bySid = new Map<string, SimMessage>();
  private readonly closing = new AbortController();

  constructor(private readonly deps: { clock: SimClock; accountSid: string; authToken: string }) {}

  create(params: Params, outcome: SmsOutcome, direction: MessageDirection = 'outbound-api'): SimMessage {
    const now = this.deps.clock.now();
    const service = first(params, 'MessagingServiceSid') ?? null;
    const status = service && !params.has('From') ? 'accepted' : 'queued';
    const msg: SimMessage = {
      sid: newSid('SM'),
      direction,
      to: first(params, 'To') ?? '',
      from: first(params, 'From') ?? null,
      body: first(params, 'Body') ?? '',
      messagingServiceSid: service,
      request: Object.fromEntries(params),
      status,
      history: [{ status, at: now }],
      errorCode: null,
      callbacks: [],
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    this.messages.push(msg);
    this.bySid.set(msg.sid, msg);
    this.run(msg, outcome, first(params, 'StatusCallback')).catch(() => {
      /* only close() interrupts a message; nothing left to record */
    });
    return msg;
  }

  /** An incoming message: it arrives already `received`, with no lifecycle of its own. */
  receive(sms: { from: string; to: string; body: string; messagingServiceSid?: string }): SimMessage {
    const now = this.deps.clock.now();
    const msg: SimMessage = {
      sid: newSid('SM'),
      direction: 'inbound',
      to: sms.to,
      from: sms.from,
      body: sms.body,
      messagingServiceSid: sms.messagingServiceSid ?? null,
      request: {},
      status: 'received',
      history: [{ status: 'received', at: now }],
      errorCode: null,
      callbacks: [],
      dateCreated: now,
      dateUpdated: now,
      dateSent: now,
    };
    this.messages.push(msg);
    this.bySid.set(msg.sid, msg);
    return msg;
  }

  get(sid: string) {
    return this.bySid.get(sid);
  }

  close() {
    this.closing.abort(new Error('simulator closed'));
  }

  private async run(msg: SimMessage, outcome: SmsOutcome, callback: string | undefined) {
    const { clock } = this.deps;
    const signal = this.closing.signal;
    let deliveries = Promise.resolve();
    const step = (status: string) => {
      msg.status = status;
      msg.dateUpdated = clock.now();
      msg.history.push({ status, at: msg.dateUpdated });
      if (status === 'sent') msg.dateSent = msg.dateUpdated;
      if (status === 'failed' || status === 'undelivered') msg.errorCode = ERROR_CODES[outcome];
      if (!callback || status === 'sending') return;
      const params: Record<string, string> = {
        AccountSid: this.deps.accountSid,
        ApiVersion: '2010-04-01',
        MessageSid: msg.sid,
        SmsSid: msg.sid,
        MessageStatus: status,
        SmsStatus: status,
        To: msg.to,
        ...(msg.from ? { From: msg.from } : {}),
        ...(msg.messagingServiceSid ? { MessagingServiceSid: msg.messagingServiceSid } : {}),
        ...(msg.errorCode ? { ErrorCode: String(msg.errorCode) } : {}),
      };
      deliveries = deliveries.then(async () => {
        const entry = { messageStatus: status, url: callback, response: 0 as number | string };
        try {
          entry.response = (await sendWebhook({ url: callback, params, authToken: this.deps.authToken, signal })).status;
        } catch (err) {
          entry.response = String(err instanceof Error ? err.message : err);
        }
        msg.callbacks.push(entry);
      });
    };
    if (msg.status === 'accepted') {
      await clock.sleep(200, signal);
      step('queued');
    }
    await clock.sleep(500, signal);
    if (outcome === 'failed') step('failed');
    else {
      step('sending');
      await clock.sleep(500, signal);
      step('sent');
      await clock.sleep(3000, signal); // the handset's delivery receipt
      step(outcome);
    }
    await deliveries;
  }

  toJson(msg: SimMessage) {
    const uri = `/2010-04-01/Accounts/${this.deps.accountSid}/Messages/${msg.sid}`;
    return {
      body: msg.body,
      num_segments: String(segmentsOf(msg.body)),
      direction: msg.direction,
      from: msg.from,
      to: msg.to,
      date_updated: rfc2822(msg.dateUpdated),
      price: null,
      error_message: null,
      uri: `${uri}.json`,
      account_sid: this.deps.accountSid,
      num_media: String(msg.request.MediaUrl?.length ?? 0),
      status: msg.status,
      messaging_service_sid: msg.messagingServiceSid,
      sid: msg.sid,
      date_sent: msg.dateSent ? rfc2822(msg.dateSent) : null,
      date_created: rfc2822(msg.dateCreated),
      error_code: msg.errorCode,
      price_unit: 'USD',
      api_version: '2010-04-01',
      subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    };
  }
}
