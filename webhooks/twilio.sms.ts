/**
 * POST /webhooks/twilio/sms: a text someone sent to one of our lines, mounted behind the
 * X-Twilio-Signature check of webhooks/twilio.ts. A STOP/退订 opts the sender out of every
 * channel and is confirmed in the sender's language, as is a request to stop written in a sentence;
 * a text that may ask to stop gets asked whether it does; HELP gets a short help text; anything
 * else gets an empty reply. The body is never stored or logged: it may be PII.
 *
 * Unlike the status callbacks, the opt-out runs here rather than in a job: it is a few
 * statements, it must end pending chases at once, and the reply confirms that it happened.
 */
import type express from 'express';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import { classifyInbound, receiveInboundSms, type InboundKeyword } from '../core/consent/sms.ts';
import { parseInboundMessage } from '../connectors/twilio/webhook.ts';

const REPLIES: Record<'opt-out' | 'unclear' | 'help', Record<InboundKeyword['language'], string>> = {
  'opt-out': {
    en: 'You are unsubscribed and will receive no more calls or messages from us.',
    zh: '您已退订，我们不会再给您打电话或发短信。',
  },
  // A text that may ask us to stop is never ignored: the reply asks, and one word settles it.
  unclear: {
    en: 'Would you like us to stop calling and texting you? Reply STOP and we will not contact you again.',
    zh: '您是否希望我们不再给您打电话或发短信？回复“退订”，我们将不再联系您。',
  },
  help: {
    en: 'Automated reminders. Reply STOP to unsubscribe from all calls and messages.',
    zh: '这是自动提醒短信。回复“退订”或TD，即可不再接收我们的电话和短信。',
  },
};

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The TwiML reply for what the text asked: the same for the same text, so a duplicate gets the same answer. */
export function replyTwiml(keyword: InboundKeyword): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  if (keyword.kind === 'other') return `${head}<Response/>`;
  return `${head}<Response><Message>${xmlEscape(REPLIES[keyword.kind][keyword.language])}</Message></Response>`;
}

export function inboundSms(options: { deps: Deps; log: Logger }): express.RequestHandler {
  const { deps, log } = options;
  return async (req, res, next) => {
    try {
      const parsed = parseInboundMessage(req.body as Record<string, string>);
      if (!parsed.ok) {
        res
          .status(400)
          .type('text/plain')
          .send(`unexpected inbound message: ${parsed.fields.join(', ')}`);
        return;
      }
      const sms = parsed.event;
      const keyword = classifyInbound(sms.body);
      const outcome = await receiveInboundSms(deps, sms, keyword);
      // The message SID and what it asked for only: never the number or the text.
      log.info({ messageSid: sms.messageId, kind: keyword.kind, ...outcome }, 'inbound SMS');
      res.type('text/xml').send(replyTwiml(keyword));
    } catch (err) {
      next(err);
    }
  };
}
