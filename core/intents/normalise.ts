/**
 * Turns a recogniser's transcript into the canonical text the rules and the model read:
 * one script (simplified Chinese), half-width, lowercase, no punctuation, no fillers.
 * Both training examples and live utterances go through here, so they always agree.
 */
import { Converter } from 'opencc-js/t2cn';
import { foldCantonese } from './cantonese.ts';

// `tw` also folds Taiwan/Hong Kong variant forms (裏/裡, 著) before the traditional →
// simplified step; on text that is already simplified it changes nothing.
const toSimplified = Converter({ from: 'tw', to: 'cn' });

const HAN = /\p{Script=Han}/u;
// Hesitations a recogniser writes out; they carry no intent. 唔 is a hesitation only on its
// own: before a word it is Cantonese "not" (唔要, 唔好再打), folded to 不 before this runs.
// 啊/呀/哦 and the Cantonese sentence particles are only dropped when they end a clause,
// since inside a word they are content.
const ZH_FILLERS = /[嗯呃唔诶欸哎唉]+|(?<!\p{Script=Han})额(?!\p{Script=Han})/gu;
const ZH_TRAILING = /(?<=\S)[啊呀哦喔哈啦嘛呢喇啰咯嘞㗎啫吖噃㖞喎囉]+(?=\s|$)/gu;
// The recogniser hears 再 ("again") as its homophone 在 after a prohibition: "别在打了".
const ZH_AGAIN_HOMOPHONE =
  /(别|不要|不用|甭|莫|不准|不许|不想|不能|不可以|没需要|不需要)在(?=给|跟|打|拨|发|来|联|找|骚|烦|推|收|接|寄|传|致|短|信|电|call|send|text|message|whatsapp|sms|email)/g;
const EN_FILLERS = /\b(?:u+m+|u+h+|e+r+m*|h+m+|m+h*m*|a+h+|o+h+|huh)\b/g;

// ASR writes the same words with and without apostrophes; the model sees one spelling.
const CONTRACTIONS: [RegExp, string][] = [
  [/\b(?:dont|don t)\b/g, 'do not'],
  [/\b(?:doesnt|doesn t)\b/g, 'does not'],
  [/\b(?:didnt|didn t)\b/g, 'did not'],
  [/\b(?:cant|can t|cannot)\b/g, 'can not'],
  [/\b(?:wont|won t)\b/g, 'will not'],
  [/\b(?:isnt|isn t)\b/g, 'is not'],
  [/\b(?:arent|aren t)\b/g, 'are not'],
  [/\b(?:havent|haven t)\b/g, 'have not'],
  [/\b(?:im|i m)\b/g, 'i am'],
  [/\b(i|we|you|they|he|she) ll\b/g, '$1 will'],
  [/\bi ve\b/g, 'i have'],
  [/\bi d\b/g, 'i would'],
  [/\b(?:youre|you re)\b/g, 'you are'],
  [/\b(?:youve|you ve)\b/g, 'you have'],
  [/\b(?:thats|that s)\b/g, 'that is'],
  [/\b(?:whats|what s)\b/g, 'what is'],
  [/\b(?:its|it s)\b/g, 'it is'],
  [/\b(?:theres|there s)\b/g, 'there is'],
  [/\bgonna\b/g, 'going to'],
  [/\bwanna\b/g, 'want to'],
  [/\b(?:ok|okey|okie|k)\b/g, 'okay'],
];

export interface Normalised {
  /** Canonical text: words separated by single spaces. */
  text: string;
  /** True when the utterance has Chinese characters (the locale hint is only a hint). */
  han: boolean;
}

export function normalise(raw: string): Normalised {
  // NFKC folds full-width letters, digits and punctuation to half-width.
  let s = raw.normalize('NFKC').toLowerCase();
  const han = HAN.test(s);
  if (han) {
    // A recogniser may space out every character ("唔 好 再 打"): a run of single characters
    // is one word again, while a space between clauses ("好的 发给我") stays.
    s = s.replace(/(?:^|(?<=\s))\p{Script=Han}(?: \p{Script=Han}(?=\s|$))+/gu, (run) => run.replace(/ /g, ''));
    // Cantonese 係 ("is", "yes") is a character of its own in traditional text, but OpenCC
    // folds it into 系 (as in 联系), so it is read before the conversion; 關係 keeps it.
    s = foldCantonese(toSimplified(s.replace(/(?<!關|关)係/g, '是')))
      .replace(ZH_AGAIN_HOMOPHONE, '$1再')
      .replace(/再见|再會|再会/g, '拜拜');
  }
  s = s.replace(/['’‘`]/g, ' ');
  // Punctuation and symbols become spaces: they separate clauses but carry no intent.
  s = s.replace(/[^\p{L}\p{N}\s]/gu, ' ');
  if (han) s = s.replace(ZH_FILLERS, ' ').replace(ZH_TRAILING, ' ');
  // Stretched letters ("nooooo", "yesss") and stuttered characters ("好好好好好").
  s = s.replace(/(\p{L})\1{2,}/gu, (m, c: string) => (HAN.test(c) ? c + c : c));
  s = s.replace(/\s+/g, ' ').trim();
  if (/[a-z]/.test(s)) {
    // A leading "well"/"so" is hesitation ("well sure"); "we'll" was expanded above.
    s = s.replace(EN_FILLERS, ' ').replace(/^\s*(?:well|so)\b/, ' ');
    for (const [re, to] of CONTRACTIONS) s = s.replace(re, to);
    s = s.replace(/\s+/g, ' ').trim();
  }
  return { text: s, han };
}
