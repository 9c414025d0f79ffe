/**
 * Turns a recogniser's transcript into the canonical text the rules and the model read:
 * one script (simplified Chinese), half-width, lowercase, no punctuation, no fillers.
 * Both training examples and live utterances go through here, so they always agree.
 */
import { Converter } from 'opencc-js/t2cn';

// `tw` also folds Taiwan/Hong Kong variant forms (裏/裡, 著) before the traditional →
// simplified step; on text that is already simplified it changes nothing.
const toSimplified = Converter({ from: 'tw', to: 'cn' });

const HAN = /\p{Script=Han}/u;
// Hesitations a recogniser writes out; they carry no intent. 啊/呀/哦 are only dropped
// when they stand alone or end a clause, since inside a word they are content.
const ZH_FILLERS = /[嗯呃唔诶欸哎唉]+|(?<!\p{Script=Han})额(?!\p{Script=Han})/gu;
const ZH_TRAILING = /(?<=\S)[啊呀哦喔哈啦嘛呢]+(?=\s|$)/gu;
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
  if (han) s = toSimplified(s);
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
