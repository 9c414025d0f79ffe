/**
 * Well-known attributes from spreadsheet columns, under stable keys segments can rely on:
 * `orderValue` (a number), `intent` (`high` / `mid` / `low`) and `industry`. Other columns
 * keep their header as the key and their text as the value.
 */

const normalise = (header: string) =>
  header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:()（）]/g, '');

const keyByHeader = new Map<string, string>();
const known: Record<string, string[]> = {
  orderValue: [
    '订单金额',
    '金额',
    '订单价值',
    '订单总额',
    '客单价',
    '购物车金额',
    '消费金额',
    'ordervalue',
    'orderamount',
    'ordertotal',
    'amount',
    'cartvalue',
    'carttotal',
    'totalprice',
  ],
  intent: ['意向', '意向度', '意向等级', '购买意向', '客户意向', 'intent', 'intention', 'intentlevel', 'purchaseintent'],
  industry: ['行业', '所属行业', '行业类别', 'industry', 'sector'],
};
for (const [key, headers] of Object.entries(known)) for (const h of headers) keyByHeader.set(h, key);

const intentLevels: Record<string, 'high' | 'mid' | 'low'> = {
  high: 'high',
  h: 'high',
  高: 'high',
  高意向: 'high',
  强: 'high',
  a: 'high',
  mid: 'mid',
  medium: 'mid',
  m: 'mid',
  中: 'mid',
  中意向: 'mid',
  一般: 'mid',
  b: 'mid',
  low: 'low',
  l: 'low',
  低: 'low',
  低意向: 'low',
  弱: 'low',
  c: 'low',
};

/** "¥1,299.00", "1299元", "$ 42" → 1299 / 42; null when the text is not an amount. */
export function parseAmount(text: string): number | null {
  const cleaned = text.normalize('NFKC').replace(/[¥$€£,\s]|元|rmb|cny|usd/gi, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

export function canonicalAttributes(raw: Record<string, string>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [header, value] of Object.entries(raw)) {
    const key = keyByHeader.get(normalise(header));
    if (key === 'orderValue') {
      const amount = parseAmount(value);
      out[amount === null ? header : key] = amount ?? value;
    } else if (key === 'intent') {
      out[key] = intentLevels[normalise(value)] ?? value;
    } else if (key && !(key in out)) {
      out[key] = value;
    } else {
      out[header] = value;
    }
  }
  return out;
}
