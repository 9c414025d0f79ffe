/**
 * A yes or a no to a yes/no question ("would you like us to stop calling you?"), which the
 * intents cannot tell apart: "yes" and "send me the link" are both `interested`. Read on
 * normalised text, so 係 / 唔係 / 唔使 arrive as 是 / 不是 / 不用. A reply that is both or
 * neither is null: the dialog decides what that means.
 */
import { normalise } from './normalise.ts';

export type Reply = 'yes' | 'no';

const YES = [
  /^(?:yes|yeah|yep|yup|ya|yea|sure|okay|correct|right|exactly|absolutely|definitely|affirmative|please|stop|i do|do it|go ahead|of course|that is (?:right|correct))\b/,
  /^(?:是(?!不)|对|没错|好(?!贵|像)|行|可以(?!不)|要(?!不)|确定|当然|请|麻烦|谢谢|停)/,
];
const NO = [
  /^(?:no|nope|nah|not really|not at all|keep|do not stop|it is (?:fine|okay|ok)|that is (?:fine|okay|ok))\b/,
  // 不要 alone is left out: to "do you want us to stop?" it may mean "don't (call)".
  /^(?:不是|不用|不对|没有|不需要|不必|没事|继续|不要停|别停|不停|不(?=$| ))/,
];

export function readReply(text: string): Reply | null {
  const canonical = normalise(text).text;
  const yes = YES.some((re) => re.test(canonical));
  const no = NO.some((re) => re.test(canonical));
  return yes === no ? null : yes ? 'yes' : 'no';
}
