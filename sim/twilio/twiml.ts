// A small XML reader for TwiML: elements, attributes, text, entities, CDATA. No XML
// library ships with the project (only builders), and TwiML needs nothing more —
// no namespaces or DTDs. Malformed documents throw, as Twilio fails the call (12100).

export interface TwimlElement {
  name: string;
  attrs: Record<string, string>;
  children: TwimlNode[];
}
export type TwimlNode = TwimlElement | string;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[ent] ?? whole;
  });
}

export class TwimlParseError extends Error {}

/** Parses a document and returns its root element (which must be <Response>). */
export function parseTwiml(xml: string): TwimlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new TwimlParseError(`TwiML: ${why} at offset ${i}`);
  };
  const root: TwimlElement = { name: '#document', attrs: {}, children: [] };
  const stack: TwimlElement[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1] ?? fail('unbalanced');
    if (lt === -1 || lt > i) {
      const text = xml.slice(i, lt === -1 ? xml.length : lt);
      if (text.trim()) top.children.push(decode(text));
      if (lt === -1) break;
      i = lt;
    }
    if (xml.startsWith('<?', i)) i = skipTo(xml, '?>', i) ?? fail('unterminated <?');
    else if (xml.startsWith('<!--', i)) i = skipTo(xml, '-->', i) ?? fail('unterminated comment');
    else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i);
      if (end === -1) fail('unterminated CDATA');
      top.children.push(xml.slice(i + 9, end));
      i = end + 3;
    } else if (xml.startsWith('<!', i)) i = skipTo(xml, '>', i) ?? fail('unterminated <!');
    else if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end).trim();
      if (end === -1 || name !== top.name) fail(`unexpected </${name}>`);
      stack.pop();
      i = end + 1;
    } else {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(i));
      if (!m) fail('malformed tag');
      const [whole = '', name = '', rawAttrs = '', selfClosing] = m ?? [];
      const attrs: Record<string, string> = {};
      for (const a of rawAttrs.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attrs[a[1] ?? ''] = decode(a[2] ?? a[3] ?? '');
      }
      const el: TwimlElement = { name, attrs, children: [] };
      top.children.push(el);
      if (!selfClosing) stack.push(el);
      i += whole.length;
    }
  }
  if (stack.length !== 1) fail(`unclosed <${stack[stack.length - 1]?.name}>`);
  const response = root.children.find((c): c is TwimlElement => typeof c !== 'string');
  if (!response || response.name !== 'Response') throw new TwimlParseError('TwiML: the root element must be <Response>');
  return response;
}

function skipTo(xml: string, end: string, from: number): number | undefined {
  const at = xml.indexOf(end, from);
  return at === -1 ? undefined : at + end.length;
}

/** The text content of an element (e.g. what a <Say> says), whitespace collapsed. */
export function textOf(el: TwimlElement): string {
  return el.children
    .map((c) => (typeof c === 'string' ? c : textOf(c)))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export const elementsOf = (el: TwimlElement): TwimlElement[] => el.children.filter((c): c is TwimlElement => typeof c !== 'string');
