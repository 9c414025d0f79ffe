/**
 * The demo's shoppers: made-up first names, US numbers of the 555 range, one cart each, and
 * how each behaves — what they say when Chaseline calls (the carrier simulator's persona),
 * whether they answer at all, and whether they pay.
 */
import type { OutcomeProfile, Utterance } from '../sim/twilio/index.ts';

export type KindId = 'wants-link' | 'asks-price' | 'not-interested' | 'opts-out' | 'no-answer' | 'orders-first';

export interface Kind {
  id: KindId;
  /** How the progress line introduces them. */
  describe: string;
  /** What they say to the call, one entry per question. */
  says?: Utterance[];
  /** Pays for the cart once the link arrived. */
  paysAfterCall?: true;
  /** Places the order while the chase is still waiting for its delay. */
  ordersFirst?: true;
}

export const KINDS: Record<KindId, Kind> = {
  'wants-link': { id: 'wants-link', describe: 'will say yes and want the link', says: ['yes, send me the link'], paysAfterCall: true },
  'asks-price': {
    id: 'asks-price',
    describe: 'will ask the price, then want the link',
    says: ['how much is it?', 'ok, send me the link'],
    paysAfterCall: true,
  },
  'not-interested': { id: 'not-interested', describe: 'will not be interested', says: ["no thanks, I'm not interested"] },
  'opts-out': { id: 'opts-out', describe: 'will ask not to be called again', says: ['stop calling me'] },
  'no-answer': { id: 'no-answer', describe: 'will not answer the phone' },
  'orders-first': { id: 'orders-first', describe: 'will order before Chaseline calls', ordersFirst: true },
};

/**
 * Who comes next: the first six are one of each kind, so any six shoppers or more show every
 * case; after that the mix leans to the common ones. The cycle repeats for larger runs.
 */
const CYCLE: KindId[] = [
  'wants-link',
  'asks-price',
  'not-interested',
  'opts-out',
  'no-answer',
  'orders-first',
  'wants-link',
  'no-answer',
  'asks-price',
  'not-interested',
  'wants-link',
  'opts-out',
];

const NAMES = [
  'Mei',
  'Ava',
  'Liam',
  'Noah',
  'Zoe',
  'Omar',
  'Iris',
  'Theo',
  'Nina',
  'Hugo',
  'Lena',
  'Ravi',
  'Sara',
  'Kai',
  'Ana',
  'Leo',
  'Maya',
  'Finn',
  'Yara',
  'Ezra',
];

const PRODUCTS = [
  { title: 'Linen Shirt', price: '49.00' },
  { title: 'Ceramic Teapot', price: '36.00' },
  { title: 'Wool Scarf', price: '58.00' },
  { title: 'Leather Wallet', price: '72.00' },
  { title: 'Espresso Grinder', price: '129.00' },
  { title: 'Canvas Backpack', price: '84.00' },
  { title: 'Desk Lamp', price: '45.00' },
];

export const CURRENCY = 'USD';

export interface Shopper {
  name: string;
  /** A made-up US number (555-2xxx); never printed. */
  phone: string;
  kind: Kind;
  product: { title: string; price: string };
  /** The no-answer shoppers alternate: one does not pick up, the next has voicemail pick up. */
  voicemail: boolean;
}

/**
 * `count` shoppers. With no delay before the call nobody can order before it, so then the
 * shopper who would have says yes instead.
 */
export function makeShoppers(count: number, options: { canOrderFirst: boolean }): Shopper[] {
  let noAnswers = 0;
  return Array.from({ length: count }, (_, i) => {
    let id = CYCLE[i % CYCLE.length]!;
    if (id === 'orders-first' && !options.canOrderFirst) id = 'wants-link';
    const round = Math.floor(i / NAMES.length);
    return {
      name: NAMES[i % NAMES.length]! + (round ? ` ${String.fromCharCode(64 + round)}.` : ''),
      phone: `+1415555${String(2000 + i).padStart(4, '0')}`,
      kind: KINDS[id],
      product: PRODUCTS[i % PRODUCTS.length]!,
      voicemail: id === 'no-answer' && noAnswers++ % 2 === 1,
    };
  });
}

/** How the progress line introduces a shopper. */
export const intention = (s: Shopper) => (s.voicemail ? 'will let voicemail take the call' : s.kind.describe);

/** How the carrier simulator treats a call to this shopper: who picks up (profile) and what they say (persona). */
export function callee(s: Shopper): { profile?: OutcomeProfile; says?: Utterance[] } {
  if (s.kind.id !== 'no-answer') return s.kind.says ? { says: s.kind.says } : {};
  return { profile: s.voicemail ? { outcomes: { answered: 1 }, machine: 1, ringSeconds: [4, 8] } : { outcomes: { 'no-answer': 1 }, ringSeconds: [20, 25] } };
}
