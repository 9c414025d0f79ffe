/**
 * Written Cantonese → the Mandarin words the rules and the model read. A Hong Kong caller
 * says "唔好再打嚟" where a Mandarin speaker says "不要再打来"; folding the Cantonese function
 * words and the commonest verbs into their Mandarin equivalents lets one set of opt-out rules
 * and one model serve both, so a Cantonese phrasing never seen in training still lands on
 * the Mandarin evidence. Runs on simplified text (after OpenCC), so 係 arrives as 系.
 *
 * Only forms that are Cantonese (or unambiguous in a phone answer) are folded: 唔, 冇, 嚟,
 * 畀, 嘢, 咗, 嘅, 哋, 佢, 喺… Words shared with Mandarin keep their Mandarin reading.
 */

// Longest first within each group; the groups run in order.
const PHRASES: [RegExp, string][] = [
  // Set phrases whose parts would fold wrongly one by one.
  [/唔好意思/g, '不好意思'],
  [/唔紧要|冇所谓/g, '没关系'],
  [/唔该晒|多谢晒|唔该/g, '谢谢'],
  [/唔使客气|唔洗客气/g, '不用客气'],
  [/[系是]唔[系是]|[系是]咪/g, '是不是'],
  [/唔系/g, '不是'],
  [/冇关系/g, '没关系'],
  [/有冇/g, '有没有'],
  [/唔得闲/g, '没空'],
  [/得闲/g, '有空'],
  [/唔(?:使|洗|驶)/g, '不用'],
  [/唔识/g, '不认识'],
  [/唔好|唔准/g, '不要'],
  // 咪 before an action is the prohibitive "don't" (咪再打嚟); elsewhere it is left alone.
  [/咪(?=\s?(?:再|打|发|send|call|text|搵|揾|找|烦|嘈|吵|搞|联|whatsapp|message))/g, '别'],
  [/冇(?:需要|必要)/g, '没需要'],
  // Time words: "later", "now", "tomorrow"… (a callback, not a refusal).
  [/迟(?:啲|d|下|吓)|晏(?:啲|d)/g, '晚点'],
  [/而家|依家|宜家/g, '现在'],
  [/阵间|一阵间/g, '等会'],
  [/等阵|等等阵|等一阵/g, '等一下'],
  [/听日|听朝|听晚/g, '明天'],
  [/晏昼/g, '下午'],
  [/今日/g, '今天'],
  [/寻日|琴日/g, '昨天'],
  [/成日|日日|次次/g, '天天'],
  // 平 is "cheap" in Cantonese (平唔平, 平啲, 好平); Mandarin's 平 (平时, 水平, 平台) is left alone.
  [/平[唔不]平/g, '便宜不便宜'],
  [/平(?=啲|d|少少|点|一点|过|嘅|的)|(?<=好|几|咁|太|最|更|超|较|唔|不)平(?!时|台|方|安|常|均|衡|面|板|静|等|民|日|稳|和)/g, '便宜'],
  // Questions.
  [/几多钱|几钱|几银/g, '多少钱'],
  [/几多/g, '多少'],
  [/点样|点么样/g, '怎样'],
  [/点解/g, '为什么'],
  [/乜嘢|咩嘢/g, '什么'],
  [/边个|边位/g, '谁'],
  [/边度|边到/g, '哪里'],
  [/边间/g, '哪家'],
  [/呢(?=个|度|啲|排|次|位|间|样|条|部)/g, '这'],
  [/𠮶|嗰/g, '那'],
  // Verbs.
  [/揾|搵/g, '找'],
  [/睇/g, '看'],
  [/谂/g, '想'],
  [/揸/g, '开'],
  [/攞/g, '拿'],
  [/倾/g, '谈'],
  [/返/g, '回'],
  // V吓 is "V a little" (睇吓, 諗吓); Mandarin's 吓 ("scare") comes before 死/到/人/坏.
  [/(?<=\p{Script=Han})吓(?!死|到|人|坏|一跳)/gu, '下'],
  // 紧 after a verb is the progressive (开紧会: in a meeting); Mandarin's 紧 (要紧, 赶紧) follows other words.
  [/(?<=开|忙|做|用|回|食|吃|讲|谈|打|看|搞|等|听|上|煮|驾|坐|搭|行|返|冲)紧/g, '着'],
  [/咩(?=事|话|意思|公司|时候|人)|(?<=讲|话|做|讲着)咩/g, '什么'],
  [/^系(?=[呀啊吖])|(?<=\s)系(?=[呀啊吖])/g, '是'],
  // Function words.
  [/唔(?=[\p{Script=Han}a-z])/gu, '不'],
  [/冇/g, '没'],
  [/嚟/g, '来'],
  [/畀|俾/g, '给'],
  [/嘢/g, '东西'],
  [/咗/g, '了'],
  [/嘅/g, '的'],
  [/哋/g, '们'],
  [/佢/g, '他'],
  [/喺/g, '在'],
  [/啲/g, '点'],
];

/** Folds written Cantonese (already simplified) into the Mandarin words it means. */
export function foldCantonese(s: string): string {
  for (const [re, to] of PHRASES) s = s.replace(re, to);
  return s;
}
