/**
 * High-precision opt-out phrases, checked before the model. A missed opt-out is a
 * compliance failure, so these catch the unmistakable forms however the rest of the
 * utterance reads ("yes, just remove me" → opt_out). Patterns run on normalised text
 * (simplified Chinese, lowercase, contractions expanded: "don't" → "do not").
 */

const CALL_EN =
  '(?:call|calling|text|texting|contact|contacting|ring|ringing|phone|phoning|message|messaging|email|emailing|bother|bothering|harass|harassing|spam|spamming)';

const EN: RegExp[] = [
  /\b(?:un|on|in) ?subscribe\b/,
  /\bopt (?:me |us )?out\b/,
  /\bdo not call (?:list|registry|register)\b/,
  /\b(?:put|add|place) (?:me|us|my number|this number) (?:on|to) (?:the |your |a )?(?:do not call|dnc)\b/,
  /\bdnc\b/,
  /\b(?:remove|delete|erase|scrub|drop) (?:me|us|my (?:number|name|phone|info|information|details|data)|this number)(?: \w+)? (?:off|from|out of) (?:your|the|this|all)\b/,
  // "take/get me off", never "get me somebody from your team".
  /\b(?:take|get) (?:me|us|my (?:number|name|phone|info|information|details|data)|this number)(?: \w+)? (?:off|out of) (?:your|the|this|all|whatever)\b/,
  /\b(?:delete|erase|scrub|lose|wipe|purge) (?:my|this) (?:number|phone number|info|information|details|data)\b/,
  /\b(?:my|this) (?:number|phone number|info|information|details|data)\b.*\b(?:wipe|delete|erase|scrub|purge) (?:it|them|that|those)\b/,
  /\b(?:stop|quit|cease|no more) (?:\w+ )?(?:calling|texting|contacting|messaging|ringing|bothering|harassing|spamming|calls|texts|messages)\b/,
  new RegExp(`\\b(?:do not|never|will not) (?:ever )?${CALL_EN} (?:me|us|this (?:number|phone)|here|my \\w+)(?: \\w+)? (?:again|anymore|any more|ever)\\b`),
  new RegExp(`\\b(?:do not|never) (?:ever )?${CALL_EN} (?:me|us|this number)$`),
  /\b(?:never|do not) want to hear from you\b/,
  /\bthis is harassment\b/,
  /\bleave (?:me|us) alone\b/,
  /\bremove (?:me|us|my (?:number|name|details|info|information|data|phone)|this number)\b/,
  /\b(?:be|get|got|been) (?:removed|taken off|unsubscribed)\b/,
  /\b(?:do not|never) (?:want|wish) (?:to be )?(?:contacted|called|texted|messaged|phoned)\b/,
  /\b(?:do not|never) want (?:any more|anymore|your|these|any of your|any) (?:\w+ ){0,2}(?:calls|texts|messages|emails)\b/,
  /\bif you (?:call|text|contact|ring) (?:me |us |here )?again\b/,
  /\b(?:you|they|people|guys) (?:\w+ )?(?:keep|always) (?:calling|texting|ringing)\b/,
  /\bstop (?:sending|with the|it$|please$)/,
  /^(?:please |oh please )?stop$/,
  /\bblock(?:ing|ed)? (?:this|your|you)\b|^block$/,
  /\bcancel (?:all|these|the|your) (?:calls|messages|texts|notifications)\b/,
  /\bdo not bother (?:calling|to call|contacting|texting)\b/,
  /^(?:reply )?td$|^do not call$|\bremoved from\b|\b(?:do not|never) (?:call|contact|text) (?:me|us) in the future\b/,
  /\b(?:do not|never) (?:call|contact|text|phone|ring) again\b|\bdo not want you to (?:call|contact|text|phone|ring)\b/,
  // "Don't call me" is an opt-out unless it only rules out a time ("don't call me now").
  // "Don't text me the link" is about the link: the call confirms it (prohibition.ts).
  /\b(?:do not|never) (?:call|contact|text|phone|ring|message) (?:me|us|this number)\b(?! (?:now|right now|at|during|before|after|until|till|today|tonight|this|in the|on|between|when|while|the|a|an|it|that|any|anything|stuff|link|links|details|info))/,
  /\bno solicit(?:ors|ing|ation|ations)?\b|\b(?:do not|will not) (?:accept|want|take) (?:any )?(?:solicitation|sales|telemarketing)/,
  new RegExp(`\\b(?:told|asked) you (?:\\w+ ){0,3}(?:not to|to stop) ${CALL_EN}`),
  /^stop(?: stop)*(?: it)?(?: please)?$/,
  /\bi (?:want|would like) (?:to be )?(?:removed|off your list|off the list)\b/,
];

// Prohibitions around a call or a text ("别再打了", "不要给我发短信") are read by scope in
// prohibition.ts; these are the other unmistakable forms. Cantonese arrives folded into
// Mandarin words (cantonese.ts): "成日打嚟" is read as "天天打来".
const ZH: RegExp[] = [
  /退订|退定|取消订阅|^退$|(?<![a-z])td(?![a-z])|取消(?:所有|全部)?的?(?:通知|推送|短信|订阅)/,
  /(?:cancel|取消) ?(?:所有|全部|all|晒)?的? ?(?:message|messages|sms|text|texts|call|calls|短信|信息|讯息|通知|推送|电话)/,
  /(?:我|号码|电话|手机|名单|信息|资料|number|record).{0,10}(?:删掉|删除|删了|删晒|移除|移出|去掉|剔走|剔除|剔了|delete|remove)|(?:删掉|删除|删了|移除|去掉|剔走|剔除|剔了|delete|remove) ?我/,
  /拉黑|黑名单|免打扰|拒收|(?<![a-z])(?:block|blacklist)(?![a-z])/,
  /骚扰/,
  // Complaints about being called at all are requests to stop.
  /有完没完|烦不烦|烦死|别烦我|(?:老是?|总是?|一直|天天|每天|成天|三天两头|经常)都?(?:给我)?(?:打(?!不通)|来电|发短信|call)/,
  /(?:不接受|拒绝|不听)(?:任何)?(?:推销|营销|广告)/,
  // "Why are you calling again?" / "又打来" / Cantonese "仲打嚟" (still calling).
  /(?:怎么|为什么|干嘛|点解|做乜|做什么|做咩)(?:又|还|仲|再)(?:打|来电|call|发)|(?:又|仲)再?(?:打|call)(?:来|过来|给我)/,
  /不想再(?:接|收|听)/,
  /(?<![a-z])(?:unsubscribe|opt out)(?![a-z])/,
];

// Chinese words run together, and mixed speech puts spaces around the English in it.
const tighten = (text: string) => text.replace(/ (?=\p{Script=Han})|(?<=\p{Script=Han}) /gu, '');

/** A request to stop, a complaint included (a person who complains wants no more calls either). */
export function isOptOut(text: string, han: boolean): boolean {
  if (complaint(text, han) === 'complaint') return true;
  for (const re of EN) if (re.test(text)) return true;
  if (!han) return false;
  const tight = tighten(text);
  for (const re of ZH) if (re.test(tight)) return true;
  return false;
}

// A complaint: the person reports, or threatens to report, the call to someone who can act on it
// (a regulator, the police, a lawyer, a manager) — "I'll report you", "再打我就投诉", "我會去消委會投訴".
// It is also an opt-out; the dialog apologises and records both (core/dialog/calls.ts).
const COMPLAINT_EN = new RegExp(
  [
    String.raw`\breport(?:s|ing|ed)?\b`,
    String.raw`\bcomplain(?:s|t|ts|ing|ed)?\b`,
    String.raw`\b(?:sue|suing|sued|lawsuit|legal action|see you in court)\b`,
    String.raw`\b(?:lawyer|lawyers|attorney|attorneys|solicitor|solicitors)\b`,
    String.raw`\b(?:ftc|fcc|bbb|ofcom|better business bureau|attorney general|federal trade commission|consumer protection|trading standards|ombudsman|regulators?)\b`,
    String.raw`\b(?:call|calling|phone|get|ring) (?:the )?(?:police|cops)\b`,
  ].join('|'),
  'g',
);
const COMPLAINT_ZH = /投诉|举报|报警|12315|12345|工信部|消委会|消协|消费者协会|电讯管理局|通讯办|市场监管|律师|起诉|告你|曝光|市长热线|打110/g;

// "I'm not complaining", "I won't report you", "no complaints", "我不是要投诉", "没有投诉的意思",
// "唔會投訴你哋" (folded to 不会投诉): a negator right before the word, with only these between.
// "Don't make me report you" and "别逼我投诉" are threats, and stay complaints.
const NOT_EN =
  /\b(?:not|no|never|nothing to)(?: (?:i|am|going|to|be|a|an|any|the|you|here|really|even|trying|want|planning|intend|intending|about|of|my|from me))*\s*$/;
const NOT_ZH = /(?:不|没|无|别|非)(?:有|是|要|会|想|去|用|打算|准备|什么|啥|可|可以|好|的|意思|需要|再|说|话|讲|跟你|跟你们|和你|你们|你)*$/;

/** Whether an utterance is a complaint, one negated ("I'm not complaining"), or neither. */
export function complaint(text: string, han: boolean): 'complaint' | 'negated' | null {
  let negated = false;
  for (const m of text.matchAll(COMPLAINT_EN)) {
    if (NOT_EN.test(text.slice(0, m.index))) negated = true;
    else return 'complaint';
  }
  if (han) {
    const tight = tighten(text);
    for (const m of tight.matchAll(COMPLAINT_ZH)) {
      // The clause before it: a negation in an earlier clause ("不需要 我要投诉") is not this one's.
      const before = tight.slice(0, m.index).split(' ').at(-1) ?? '';
      if (NOT_ZH.test(before)) negated = true;
      else return 'complaint';
    }
  }
  return negated ? 'negated' : null;
}
