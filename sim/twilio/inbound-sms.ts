// An SMS arriving at one of the account's numbers: Twilio POSTs it to the number's
// messaging webhook, signed, and sends every <Message> of the TwiML answer back.
// https://www.twilio.com/docs/messaging/guides/webhook-request
// https://www.twilio.com/docs/messaging/twiml
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { first, parseForm } from './contract.ts';
import { segmentsOf, type MessageStore, type SimMessage } from './messages.ts';
import type { SmsOutcome } from './profiles.ts';
import { elementsOf, parseTwiml, textOf, type TwimlElement } from './twiml.ts';
import { sendWebhook } from './webhook.ts';

/** A number's messaging configuration, as set on an IncomingPhoneNumber. */
export interface SmsNumberConfig {
  smsUrl?: string;
  /** Default POST. */
  smsMethod?: 'GET' | 'POST';
  /** Set when the number belongs to a Messaging Service; sent as MessagingServiceSid. */
  messagingServiceSid?: string;
}

export interface InboundSms {
  from: string;
  /** One of the account's numbers: its config says where the message goes. */
  to: string;
  body: string;
}

export interface InboundSmsResult {
  /** The inbound message's sid (MessageSid of the webhook request). */
  sid: string;
  /** HTTP status the application answered with. */
  status: number;
  /** The body of every <Message> Twilio sends back, in order. */
  replies: string[];
  /** Why the answer was not used (11200 for a non-2xx, 12100 for unparsable TwiML). */
  error?: string;
}

export interface InboundDeps {
  accountSid: string;
  authToken: string;
  messages: MessageStore;
  config(to: string): SmsNumberConfig | undefined;
  /** How a reply to this number ends (the recipient's profile). */
  outcome(to: string, from: string): SmsOutcome;
}

/** Twilio sends the geography it knows; only the country is known to the simulator, the rest are empty. */
function place(prefix: 'From' | 'To', number: string): Record<string, string> {
  const country = parsePhoneNumberFromString(number)?.country ?? '';
  return { [`${prefix}Country`]: country, [`${prefix}State`]: '', [`${prefix}City`]: '', [`${prefix}Zip`]: '' };
}

export async function receiveSms(deps: InboundDeps, sms: InboundSms): Promise<InboundSmsResult> {
  const config = deps.config(sms.to);
  if (!config?.smsUrl) throw new Error(`no smsUrl for ${sms.to}: pass smsUrl or numbers['${sms.to}'].smsUrl to startTwilioSim`);
  const msg = deps.messages.receive({ ...sms, ...(config.messagingServiceSid ? { messagingServiceSid: config.messagingServiceSid } : {}) });
  const params: Record<string, string> = {
    AccountSid: deps.accountSid,
    ApiVersion: '2010-04-01',
    MessageSid: msg.sid,
    SmsSid: msg.sid,
    SmsMessageSid: msg.sid,
    SmsStatus: 'received',
    From: sms.from,
    To: sms.to,
    Body: sms.body,
    NumMedia: '0',
    NumSegments: String(segmentsOf(sms.body)),
    ...(config.messagingServiceSid ? { MessagingServiceSid: config.messagingServiceSid } : {}),
    ...place('From', sms.from),
    ...place('To', sms.to),
  };
  const res = await sendWebhook({ url: config.smsUrl, method: config.smsMethod ?? 'POST', params, authToken: deps.authToken });
  if (res.status < 200 || res.status >= 300)
    return { sid: msg.sid, status: res.status, replies: [], error: `11200: ${config.smsUrl} answered HTTP ${res.status}` };
  let replies: SimMessage[];
  try {
    replies = sendReplies(deps, msg, res.body, res.contentType, config.smsUrl);
  } catch (err) {
    return { sid: msg.sid, status: res.status, replies: [], error: `12100: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { sid: msg.sid, status: res.status, replies: replies.map((r) => r.body) };
}

/** Each <Message> becomes an outbound message from the number back to the sender (unless its to/from say otherwise). */
function sendReplies(deps: InboundDeps, inbound: SimMessage, body: string, contentType: string, baseUrl: string): SimMessage[] {
  if (!body.trim()) return []; // an empty answer: no reply
  // A text/plain answer is sent back as it is.
  const texts: { el?: TwimlElement; text: string }[] = /^text\/plain/i.test(contentType)
    ? [{ text: body.trim() }]
    : elementsOf(parseTwiml(body))
        .filter((e) => e.name === 'Message')
        .map((el) => ({ el, text: messageText(el) }));
  return texts.map(({ el, text }) => {
    const to = el?.attrs.to || (inbound.from ?? '');
    const from = el?.attrs.from || inbound.to;
    const callback = el?.attrs.statusCallback ? new URL(el.attrs.statusCallback, baseUrl).toString() : undefined;
    const params = parseForm(new URLSearchParams({ To: to, From: from, Body: text, ...(callback ? { StatusCallback: callback } : {}) }).toString());
    return deps.messages.create(params, deps.outcome(first(params, 'To') ?? to, from), 'outbound-reply');
  });
}

/** <Message>text</Message>, or <Message><Body>text</Body><Media>…</Media></Message>. */
function messageText(el: TwimlElement): string {
  const body = elementsOf(el).find((c) => c.name === 'Body');
  if (body) return textOf(body);
  return textOf({ ...el, children: el.children.filter((c) => typeof c === 'string') });
}
