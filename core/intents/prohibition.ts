/**
 * A prohibition around a contact action — "don't call me again", "别再给我发了",
 * "唔好再send嘢畀我", "never text 我 again" — found by scope, not by listing sentences: a
 * negator, then within a few units an action word, then what the window around them says
 * (again / from now on, or only now / today). Units are the model's: one Chinese character
 * or one Latin word, so simplified, traditional (folded before this runs), Cantonese
 * (folded into Mandarin words) and mixed speech are read by the same lexicon.
 *
 *   opt_out   the person asked not to be contacted: "don't call me", "不要再发了", "stop texting"
 *   possible  it may be that: "don't send me anything", "不用发给我" — the call confirms
 *   for_now   only a time is ruled out: "don't call me now", "现在别打" — a callback, never a link
 *   wanted    the negation is of forgetting: "don't forget to call me", "别忘了给我打电话" — not a stop
 */

export type Prohibition = 'opt_out' | 'possible' | 'for_now' | 'wanted' | null;

/**
 * One Chinese character or one run of Latin letters and digits, as the model's features see
 * them; with `clauses`, a space between two Chinese characters (where punctuation was) is a
 * `|` unit, so a scope can end at the clause.
 */
export function units(text: string, clauses = false): string[] {
  const out: string[] = [];
  for (const token of text.split(' ')) {
    if (!token) continue;
    if (clauses && HAN.test(token[0]!) && HAN.test(out.at(-1) ?? '')) out.push(BOUNDARY);
    for (const part of token.match(/\p{Script=Han}|[^\p{Script=Han}]+/gu) ?? []) out.push(part);
  }
  return out;
}

const BOUNDARY = '|';
const HAN = /\p{Script=Han}/u;

/** A lexicon entry: its units, and units that may not follow (or precede) it for it to count. */
interface Entry {
  seq: string[];
  notNext?: Set<string>;
  notPrev?: Set<string>;
}

const entry = (phrase: string, notNext = '', notPrev = ''): Entry => ({
  seq: units(phrase),
  ...(notNext ? { notNext: new Set(units(notNext)) } : {}),
  ...(notPrev ? { notPrev: new Set(units(notPrev)) } : {}),
});
const entries = (phrases: string): Entry[] => phrases.split(',').map((p) => entry(p.trim()));

/** The length of the entry of `lexicon` that starts at `i` (longest first), or 0. */
function matchAt(u: string[], i: number, lexicon: Entry[]): number {
  let best = 0;
  for (const e of lexicon) {
    const n = e.seq.length;
    if (n <= best || i + n > u.length) continue;
    let ok = true;
    for (let k = 0; k < n && ok; k++) ok = u[i + k] === e.seq[k];
    if (!ok) continue;
    if (e.notNext && i + n < u.length && e.notNext.has(u[i + n]!)) continue;
    if (e.notPrev && i > 0 && e.notPrev.has(u[i - 1]!)) continue;
    best = n;
  }
  return best;
}

type NegatorKind = 'stop' | 'dont' | 'no_need' | 'not';

// "stop"-like negators already mean "from now on": stop calling, never text, 停止发, 再也不要.
const STOP: Entry[] = [...entries('stop, quit, cease, no more, no longer, never, 停止, 不再, 再也不, 再也别, 再也不要'), entry('停', '一 下 车 电 止')];
const DONT: Entry[] = [
  ...entries(
    'do not, will not, would not, should not, must not, can not, better not, is not to, are not to, 不准, 不许, 甭, 莫, 勿, 不可以, 不愿意, 不希望, 拒绝, 千万别, 千万不要',
  ),
  entry('别', '人 的 处 墅 名 家 针', '特 区 分 告 个 级 类 性 差 识 辨 鉴 离 派 送 有 道'),
  entry('不要', '紧 脸 钱 命 客 以', '要 需'),
  entry('不想', '要 买 用', '想'),
  entry('不能', '', '能'),
];
const NO_NEED: Entry[] = [
  ...entries('no need to, no need for, do not need to, do not have to, there is no need, 不需要, 没需要, 不必, 无需, 没必要, 用不着'),
  entry('不用', '谢 客 了 这 那', '用 经'),
];
const NOT: Entry[] = entries('not');

// What the person may be asking us not to do. Contact verbs are about us reaching them;
// send verbs may be only about this one link, so alone they are a "possible".
const CONTACT: Entry[] = [
  ...entries(`call, calls, calling, ring, ringing, rings, phone, phoning, dial, dialing, dialling, text, texts, texting, txt,
    sms, message, messages, messaging, msg, msgs, email, emails, emailing, contact, contacting, bother, bothering, harass,
    harassing, spam, spamming, whatsapp, wechat, dm, reach, hear from, ring up,
    拨, 来电, 电话, 联系, 联络, 骚扰, 打扰, 推销, 推广, 短信, 信息, 讯息, 消息, 微信, 邮件, 致电, 找我, 收到, 接到`),
  entry('烦', '心 恼 躁 闷', '麻 厌'),
  entry('打', '算 折 开 印 包 车 卡 针 球 工 字 错 扮 听 架 交 扫 理 烊 破 败 赢 输 赌 猎 量 击 造 扰 游 麻 人 孩 分 气 水 喷 哈 呼 滚 牌 仗 劫 鼓 铁 结 的'),
];
const SEND: Entry[] = [
  ...entries('send, sending, sends, forward, mail, 寄, 传, 推送'),
  entry('推', '开 动 迟 辞 理 测 断 论 荐 进 出 广 销 送'),
  entry('发', '票 现 生 展 烧 财 脾 音 言 表 布 型 达 明 挥 育 火 愁 呆 疯 抖 神 誓 酵 光 亮 热 冷 胖 福 起 货 错'),
];
// "Again", "from now on", "any more": the prohibition outlives this call.
const AGAIN: Entry[] = [
  ...entries(`again, anymore, any more, ever, no more, any longer, in future, in the future, from now on, another, back,
    以后, 今后, 往后, 从此, 永远, 再也, 一律, 任何, 所有, 全部, 永久, 现在开始, 从今, 从现在, 第二次, 下次, 一世,
    always, keep, 总是, 老是, 一直, 天天, 每天, 成天, 经常`),
  // "别总发", "别老打": not doing it all the time is not doing it.
  entry('总', '共 部 经 统 公 结'),
  entry('老', '公 婆 板 人 师 家 大 妈 爸 豆 友 细 朋'),
  // Not 再见, 再考虑…, nor the "then" of a time: 晚点再打, 明天再打, 下班再打 are callbacks.
  entry('再', '见 考 说 想 看 算 商 决 讲 谈 聊 比', '点 会 天 午 晚 上 阵 下 班 课 完 间 日 早 朝 钟 时 候 儿'),
];
// Only a time is ruled out: the person wants a call at another one.
const FOR_NOW: Entry[] = [
  ...entries(`now, right now, today, tonight, this morning, this afternoon, this evening, this week, at work, during, until,
    till, before, after, while, yet, later, tomorrow, at the moment, for now, busy, driving, meeting,
    这会, 今天, 今晚, 上午, 下午, 晚上, 中午, 白天, 上班, 开会, 开车, 暂时, 这个时间, 这几天, 这周, 这个星期, 最近, 目前,
    等会, 晚点, 一会, 明天, 下班, 午休, 忙, 先`),
  // Cantonese 住 after a verb: "for the time being" (唔好打嚟住).
  entry('住', '在 址 宅 院 户 房 处 的'),
  entry('现在', '开 起'),
];
// Words between an English negator and its verb that keep the scope ("don't you ever call",
// "do not want you to text"); anything else ("don't know why you call") closes it.
const EN_GAP = new Set(
  'you u ya guys people even ever please dare bother to be want wanna need like keep go again any more all the these those your with try me us'.split(' '),
);
// Likewise in Chinese: "别忘了给我打电话" (don't forget to call me), "不要挂电话" (don't hang up),
// "不用担心" (don't worry) are not about being called.
const HAN_BREAK = new Set([...'忘挂担怕急怪介客慌走紧']);
// "Don't forget to …" asks for the action.
const FORGET: Entry[] = entries('forget, 忘, 不记得, 不记, 没记得');
const EN_OBJECT = new Set('me us here this my anyone anybody our'.split(' '));
// "Don't text me the link" is about the link, not about texting: what follows the person is sent.
const EN_SENT = new Set('the a an it that any anything stuff link links details info information offer offers'.split(' '));

const NEGATORS: [NegatorKind, Entry[]][] = [
  ['stop', STOP],
  ['dont', DONT],
  ['no_need', NO_NEED],
  ['not', NOT],
];

/** The strongest prohibition in a normalised utterance. */
export function prohibition(text: string): Prohibition {
  const u = units(text, true);
  let found: Prohibition = null;
  const rank = { opt_out: 4, possible: 3, for_now: 2, wanted: 1 } as const;
  const note = (p: Exclude<Prohibition, null>) => {
    if (!found || rank[p] > rank[found]) found = p;
  };
  for (let i = 0; i < u.length; i++) {
    for (const [kind, lexicon] of NEGATORS) {
      const n = matchAt(u, i, lexicon);
      if (!n) continue;
      const verdict = judge(u, i, i + n, kind);
      if (verdict) note(verdict);
      break;
    }
    if (found === 'opt_out') return found;
  }
  return found;
}

function judge(u: string[], start: number, end: number, kind: NegatorKind): Prohibition {
  // The action: a few units after the negator (Chinese packs "再给我们家" or "再收到你们的" in between).
  let at = -1;
  let action: 'contact' | 'send' | null = null;
  let len = 0;
  const forgetting = matchAt(u, end, FORGET) > 0;
  for (let k = end; k < Math.min(u.length, end + 7); k++) {
    if (forgetting) {
      if (u[k] === BOUNDARY) break;
      if (matchAt(u, k, CONTACT) || matchAt(u, k, SEND)) return 'wanted';
      continue;
    }
    const c = matchAt(u, k, CONTACT);
    const s = c ? 0 : matchAt(u, k, SEND);
    if (c || s) {
      [at, action, len] = [k, c ? 'contact' : 'send', c || s];
      break;
    }
    if (u[k] === BOUNDARY || HAN_BREAK.has(u[k]!) || (!HAN.test(u[k]!) && !EN_GAP.has(u[k]!))) break;
  }
  // "别再…了" / "不要再…" about something not named: it may be us.
  if (!action) return kind === 'dont' && HAN.test(u[start]!) && matchAt(u, end, AGAIN) && u[end] === '再' ? 'possible' : null;
  // "Again" counts before the negator ("以后，别打") and in its own clause; a time may also
  // follow in the next one ("别打了，晚点再打").
  const clauseEnd = (from: number) => {
    let k = from;
    while (k < u.length && k < from + 6 && u[k] !== BOUNDARY) k++;
    return k;
  };
  const to = clauseEnd(at + len);
  const has = (lexicon: Entry[], from: number, until: number) => {
    for (let k = from; k < until; k++) if (matchAt(u, k, lexicon)) return true;
    return false;
  };
  const back = Math.max(0, start - 4);
  const again = kind === 'stop' || has(AGAIN, back, to);
  if (again) return 'opt_out';
  if (has(FOR_NOW, back, to) || (u[to] === BOUNDARY && has(FOR_NOW, to + 1, clauseEnd(to + 1)))) return kind === 'not' ? null : 'for_now';
  if (kind === 'not') return null;
  if (kind === 'no_need') return 'possible';
  // "别发了", "不要打了": a sentence-final 了 after a prohibition means "stop doing it".
  const stopped = u.slice(at + len, at + len + 5).includes('了') && HAN.test(u[start]!);
  if (action === 'send') return stopped ? 'opt_out' : 'possible';
  // "Don't call me" / "别打" is an opt-out; "don't call the office" may only be about one number.
  const next = u[at + len];
  if (HAN.test(u[start]!) || next === undefined || HAN.test(next)) return 'opt_out';
  if (!EN_OBJECT.has(next)) return 'possible';
  const after = u[at + len + 1];
  return after !== undefined && EN_SENT.has(after) ? 'possible' : 'opt_out';
}
