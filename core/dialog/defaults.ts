/**
 * The built-in dialog nodes, in the languages Chaseline ships (English, Mandarin and
 * Cantonese). A script's own `dialog` replaces any of them by id; its `say` is the opening
 * (`start`).
 */
import type { DialogAction } from './schema.ts';
import { languageOf } from './voice.ts';

export interface BuiltInNode {
  say: string;
  do?: DialogAction;
}

type Texts = Record<
  | 'price'
  | 'send_link'
  | 'reconsider'
  | 'callback'
  | 'not_interested'
  | 'opt_out'
  | 'complaint'
  | 'confirm_opt_out'
  | 'transfer'
  | 'wrong_number'
  | 'goodbye'
  | 'reprompt'
  | 'no_agent',
  string
> & {
  /** What the agent hears before a transfer: the campaign and who (or, without a name, `someone`). */
  whisper: (campaign: string, who: string | null) => string;
};

/** The node that asks whether an answer that may mean "stop" does ("don't send me anything"). */
export const CONFIRM_OPT_OUT = 'confirm_opt_out';

const en: Texts = {
  price: 'The price is {{context.price}}. Would you like me to text you the link?',
  send_link: "Great, I've just sent you the link by text message. Thank you, goodbye.",
  reconsider: "No problem. I'll text you the details so you can decide in your own time. Goodbye.",
  callback: "Of course. We'll call you back at a better time. Goodbye.",
  not_interested: 'Understood. Thank you for your time, goodbye.',
  opt_out: 'Understood. You will not be contacted by us again, by phone or by text. Goodbye.',
  complaint: "We're sorry we bothered you. You will not be contacted by us again, by phone or by text, and your complaint has been recorded. Goodbye.",
  confirm_opt_out: 'Just to be sure: would you like us to stop calling and texting you? Please say yes or no.',
  transfer: 'Please hold while I connect you to a colleague.',
  wrong_number: "Sorry to have bothered you. We won't call this number for them again. Goodbye.",
  goodbye: 'Thank you, goodbye.',
  reprompt: "Sorry, I didn't catch that.",
  no_agent: "Sorry, no one is free right now. We'll call you back soon. Goodbye.",
  whisper: (campaign, who) => `Transfer from ${campaign}: ${who ?? 'a customer'} asked to talk to a person.`,
};

const zh: Texts = {
  price: '价格是{{context.price}}。需要我把链接用短信发给您吗？',
  send_link: '好的，链接已经用短信发给您了。感谢您的接听，再见。',
  reconsider: '没关系，我把详情用短信发给您，您慢慢考虑。再见。',
  callback: '好的，我们换个时间再给您打过来。再见。',
  not_interested: '明白了，感谢您的时间，再见。',
  opt_out: '好的，我们以后不会再通过电话或短信联系您。再见。',
  complaint: '非常抱歉打扰您了。我们以后不会再通过电话或短信联系您，您的投诉我们已经记录下来。再见。',
  confirm_opt_out: '想跟您确认一下：您是希望我们以后不再给您打电话或发短信吗？请说“是”或“不是”。',
  transfer: '请稍等，我为您转接人工客服。',
  wrong_number: '抱歉打扰了，我们不会再拨打这个号码找这位客户。再见。',
  goodbye: '感谢您的接听，再见。',
  reprompt: '抱歉，我没有听清楚。',
  no_agent: '抱歉，现在没有空闲的客服。我们稍后给您回电，再见。',
  whisper: (campaign, who) => `来自${campaign}的转接：${who ?? '一位客户'}想和您通话。`,
};

// Cantonese as Hong Kong callers hear it: spoken Cantonese words in traditional characters.
const yue: Texts = {
  price: '價錢係{{context.price}}。使唔使我用短訊將條連結發畀你？',
  send_link: '好，條連結已經用短訊發咗畀你。多謝你接聽，拜拜。',
  reconsider: '冇問題，我用短訊將詳情發畀你，你慢慢考慮。拜拜。',
  callback: '好，我哋遲啲再打畀你。拜拜。',
  not_interested: '明白，多謝你嘅時間，拜拜。',
  opt_out: '好，我哋以後唔會再打電話或者發短訊畀你。拜拜。',
  complaint: '非常抱歉打擾咗你。我哋以後唔會再打電話或者發短訊畀你，你嘅投訴我哋已經記錄低。拜拜。',
  confirm_opt_out: '想同你確認一下：你係咪唔想我哋以後再打電話或者發短訊畀你？請講「係」或者「唔係」。',
  transfer: '請稍等，我而家幫你轉接同事。',
  wrong_number: '唔好意思打擾你，我哋唔會再打呢個號碼搵呢位客戶。拜拜。',
  goodbye: '多謝你接聽，拜拜。',
  reprompt: '唔好意思，我聽唔清楚。',
  no_agent: '唔好意思，而家冇同事得閒。我哋遲啲會再打畀你，拜拜。',
  whisper: (campaign, who) => `${campaign}轉接：${who ?? '一位客戶'}想同你傾。`,
};

function texts(locale: string): Texts {
  const language = languageOf(locale);
  return language === 'yue' ? yue : language.startsWith('zh') ? zh : en;
}

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
    complaint: { say: t.complaint, do: 'complaint' },
    [CONFIRM_OPT_OUT]: { say: t.confirm_opt_out },
    transfer: { say: t.transfer, do: 'transfer' },
    wrong_number: { say: t.wrong_number, do: 'wrong_number' },
    goodbye: { say: t.goodbye, do: 'hangup' },
    no_agent: { say: t.no_agent, do: 'callback' },
  };
}

export const repromptText = (locale: string): string => texts(locale).reprompt;

/** What the agent hears before a transfer, in the script's language. */
export const whisperText = (locale: string, campaign: string, who: string | null): string => texts(locale).whisper(campaign, who);
