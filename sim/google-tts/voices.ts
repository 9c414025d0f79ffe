// voices.list: `GET /v1/voices?languageCode=…`, what a client calls to see which voices it may
// use (and, cheaply, whether its credentials work). A small, fixed catalogue in Google's shape:
// names `{language}-{type}-{letter}`, `languageCodes`, `ssmlGender`, `naturalSampleRateHertz`.
// https://cloud.google.com/text-to-speech/docs/reference/rest/v1/voices/list

type Gender = 'MALE' | 'FEMALE' | 'NEUTRAL';
/** google.cloud.texttospeech.v1.SsmlVoiceGender, for `$alt=json;enum-encoding=int`. */
const GENDER_NUMBER: Record<Gender, number> = { MALE: 1, FEMALE: 2, NEUTRAL: 3 };

const CATALOGUE: [name: string, gender: Gender, rate: number][] = [
  ['en-US-Standard-C', 'FEMALE', 24000],
  ['en-US-Standard-D', 'MALE', 24000],
  ['en-US-Neural2-F', 'FEMALE', 24000],
  ['en-US-Wavenet-D', 'MALE', 24000],
  ['en-GB-Standard-A', 'FEMALE', 24000],
  ['cmn-CN-Standard-A', 'FEMALE', 24000],
  ['cmn-CN-Wavenet-B', 'MALE', 24000],
  ['cmn-TW-Standard-A', 'FEMALE', 24000],
  ['yue-HK-Standard-A', 'FEMALE', 24000],
  ['yue-HK-Standard-B', 'MALE', 24000],
];

const languageOf = (name: string) => name.split('-').slice(0, 2).join('-');

/**
 * The voices for `languageCode` (all when absent): as Google does, a bare language (`en`)
 * matches every region of it, and `zh`/`zh-CN` find the Mandarin (`cmn-CN`) voices.
 */
export function listVoices(languageCode: string | null, enumsAsNumbers: boolean) {
  const wanted = languageCode?.trim().toLowerCase() || null;
  const aliases: Record<string, string> = { zh: 'cmn', 'zh-cn': 'cmn-cn', 'zh-tw': 'cmn-tw', 'zh-hk': 'yue-hk' };
  const target = wanted ? (aliases[wanted] ?? wanted) : null;
  const matches = (language: string) => {
    const l = language.toLowerCase();
    return !target || l === target || l.startsWith(`${target}-`);
  };
  return {
    voices: CATALOGUE.filter(([name]) => matches(languageOf(name))).map(([name, gender, rate]) => ({
      languageCodes: [languageOf(name)],
      name,
      ssmlGender: enumsAsNumbers ? GENDER_NUMBER[gender] : gender,
      naturalSampleRateHertz: rate,
    })),
  };
}
