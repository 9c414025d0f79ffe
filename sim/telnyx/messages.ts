// Messaging: POST /v2/messages answers the message `queued`, then message.sent and
// message.finalized (delivered, or the failure the profile draws) go to its webhook_url;
// an SMS to one of the account's numbers arrives as message.received.
// https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { SimClock } from '../twilio/clock.ts';
import type { SmsOutcome } from '../twilio/profiles.ts';
import type { WebhookSigner } from './signature.ts';
import { deliver, eventOf, type Delivery } from './webhook.ts';

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'sending_failed' | 'delivery_failed' | 'webhook_delivered';

export interface SimTelnyxMessage {
  id: string;
  direction: 'outbound' | 'inbound';
  from: string;
  to: string;
  text: string;
  status: MessageStatus;
  webhookUrl: string | null;
  parts: number;
  encoding: 'GSM-7' | 'UCS-2';
  receivedAt: Date;
  sentAt: Date | null;
  completedAt: Date | null;
  webhooks: Delivery[];
}

export interface InboundSms {
  from: string;
  to: string;
  text: string;
}

// GSM 03.38's basic set; anything else needs UCS-2.
const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà^{}\\[~\]|€]*$/;
function segments(text: string): { parts: number; encoding: 'GSM-7' | 'UCS-2' } {
  const gsm = GSM7.test(text);
  const length = gsm ? text.length : [...text].length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return { parts: length <= single ? 1 : Math.ceil(length / multi), encoding: gsm ? 'GSM-7' : 'UCS-2' };
}

export class MessageStore {
  readonly messages: SimTelnyxMessage[] = [];
  private deliveries: Promise<void> = Promise.resolve();
  private readonly closing = (() => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  })();

  constructor(private readonly deps: { clock: SimClock; signer: WebhookSigner; messagingProfileId: string; organizationId: string }) {}

  /** The message resource (OutboundMessagePayload / InboundMessagePayload). */
  toJson(m: SimTelnyxMessage) {
    const party = (phone: string, status?: string) => ({
      phone_number: phone,
      ...(status ? { status } : {}),
      carrier: 'Chaseline Sim Carrier',
      line_type: 'Wireless',
    });
    const failed = m.status === 'delivery_failed' || m.status === 'sending_failed';
    return {
      record_type: 'message',
      direction: m.direction,
      id: m.id,
      type: 'SMS',
      messaging_profile_id: this.deps.messagingProfileId,
      organization_id: this.deps.organizationId,
      from: m.direction === 'inbound' ? party(m.from, 'received') : party(m.from),
      to: [party(m.to, m.status)],
      cc: [],
      text: m.text,
      subject: null,
      media: [],
      webhook_url: m.webhookUrl,
      webhook_failover_url: null,
      encoding: m.encoding,
      parts: m.parts,
      tags: [],
      cost: { amount: (0.004 * m.parts).toFixed(4), currency: 'USD' },
      received_at: m.receivedAt.toISOString(),
      sent_at: m.sentAt?.toISOString() ?? null,
      completed_at: m.completedAt?.toISOString() ?? null,
      valid_until: new Date(m.receivedAt.getTime() + 4 * 3600_000).toISOString(),
      errors: failed ? [{ code: '40008', title: 'Undeliverable', detail: 'The destination carrier did not deliver the message.' }] : [],
    };
  }

  send(from: string, to: string, text: string, webhookUrl: string | null, outcome: SmsOutcome): SimTelnyxMessage {
    const now = this.deps.clock.now();
    const m: SimTelnyxMessage = {
      id: randomUUID(),
      direction: 'outbound',
      from,
      to,
      text,
      status: 'queued',
      webhookUrl,
      ...segments(text),
      receivedAt: now,
      sentAt: null,
      completedAt: null,
      webhooks: [],
    };
    this.messages.push(m);
    void (async () => {
      const { clock } = this.deps;
      const signal = this.closing.signal;
      await clock.sleep(1000, signal);
      if (outcome === 'failed') {
        m.status = 'sending_failed';
        m.completedAt = clock.now();
        return this.emit(m, 'message.finalized');
      }
      m.status = 'sent';
      m.sentAt = clock.now();
      this.emit(m, 'message.sent');
      await clock.sleep(2000, signal);
      m.status = outcome === 'undelivered' ? 'delivery_failed' : 'delivered';
      m.completedAt = clock.now();
      this.emit(m, 'message.finalized');
    })().catch(() => undefined);
    return m;
  }

  /** An SMS from outside to one of the account's numbers: message.received to `webhookUrl`. */
  async receive(sms: InboundSms, webhookUrl: string | null): Promise<SimTelnyxMessage> {
    const now = this.deps.clock.now();
    const m: SimTelnyxMessage = {
      id: randomUUID(),
      direction: 'inbound',
      from: sms.from,
      to: sms.to,
      text: sms.text,
      status: 'webhook_delivered',
      webhookUrl,
      ...segments(sms.text),
      receivedAt: now,
      sentAt: now,
      completedAt: now,
      webhooks: [],
    };
    this.messages.push(m);
    this.emit(m, 'message.received');
    await this.settled();
    return m;
  }

  private emit(m: SimTelnyxMessage, eventType: string) {
    const event = eventOf(this.deps.clock, eventType, this.toJson(m));
    const url = m.webhookUrl;
    if (!url) {
      m.webhooks.push({ eventType, url: '', body: JSON.stringify({ data: event }), response: 'no webhook_url' });
      return;
    }
    // The messaging events carry `meta` (OutboundMessageEvent); message.received does not (InboundMessageEvent).
    const meta = m.direction === 'outbound' ? { attempt: 1, delivered_to: url } : undefined;
    this.deliveries = this.deliveries.then(async () => {
      m.webhooks.push(await deliver(this.deps.signer, url, event, this.closing.signal, meta));
    });
  }

  settled(): Promise<void> {
    return this.deliveries;
  }

  close() {
    this.closing.abort(new Error('simulator closed'));
  }
}
