/**
 * The built-in dialog nodes, in the languages Chaseline ships (English and Chinese). A
 * script's own `dialog` replaces any of them by id; its `say` is the opening (`start`).
 */
import type { DialogAction } from './dialog.schema.ts';

export interface BuiltInNode {
  say: string;
  do?: DialogAction;
}

type Texts = Record<'price' | 'send_link' | 'reconsider' | 'callback' | 'not_interested' | 'opt_out' | 'transfer' | 'wrong_number' | 'goodbye' | 'reprompt' | 'no_agent', string>;

const en: Texts = {
  price: 'The price is {{context.price}}. Would you like me to text you the link?',
  send_link: "Great, I've just sent you the link by text message. Thank you, goodbye.",
  reconsider: "No problem. I'll text you the details so you can decide in your own time. Goodbye.",
  callback: "Of course. We'll call you back at a better time. Goodbye.",
  not_interested: 'Understood. Thank you for your time, goodbye.',
  opt_out: 'Understood. You will not be contacted by us again, by phone or by text. Goodbye.',
  transfer: 'Please hold while I connect you to a colleague.',
  wrong_number: "Sorry to have bothered you. We won't call this number for them again. Goodbye.",
  goodbye: 'Thank you, goodbye.',
  reprompt: "Sorry, I didn't catch that.",
  no_agent: "Sorry, no one is free right now. We'll call you back soon. Goodbye.",
};

const zh: Texts = {
  price: '价格是{{context.price}}。需要我把链接用短信发给您吗？',
  send_link: '好的，链接已经用短信发给您了。感谢您的接听，再见。',
  reconsider: '没关系，我把详情用短信发给您，您慢慢考虑。再见。',
  callback: '好的，我们换个时间再给您打过来。再见。',
  not_interested: '明白了，感谢您的时间，再见。',
  opt_out: '好的，我们以后不会再通过电话或短信联系您。再见。',
  transfer: '请稍等，我为您转接人工客服。',
  wrong_number: '抱歉打扰了，我们不会再拨打这个号码找这位客户。再见。',
  goodbye: '感谢您的接听，再见。',
  reprompt: '抱歉，我没有听清楚。',
  no_agent: '抱歉，现在没有空闲的客服。我们稍后给您回电，再见。',
};

const texts = (locale: string): Texts => (/^(zh|cmn|yue)\b/i.test(locale) ? zh : en);

/** The nodes every dialog has unless a script replaces them. */
export function builtInNodes(locale: string): Record<string, BuiltInNode> {
  const t = texts(locale);
  return {
    price: { say: t.price },
    send_link: { say: t.send_link, do: 'send_link' },
    reconsider: { say: t.reconsider, do: 'send_link' },
    callback: { say: t.callback, do: 'callback' },
    not_interested: { say: t.not_interested, do: 'refuse' },
    opt_out: { say: t.opt_out, do: 'opt_out' },
    transfer: { say: t.transfer, do: 'transfer' },
    wrong_number: { say: t.wrong_number, do: 'wrong_number' },
    goodbye: { say: t.goodbye, do: 'hangup' },
    no_agent: { say: t.no_agent, do: 'callback' },
  };
}

export const repromptText = (locale: string): string => texts(locale).reprompt;
