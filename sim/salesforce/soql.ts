// The SOQL Chaseline sends, parsed for real: SELECT fields FROM Contact|Lead|Task
// [WHERE conditions joined by AND / OR / NOT and parentheses, with = != <> < <= > >=,
// IN and NOT IN] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n].
// Literals are typed as Salesforce types them: a datetime is unquoted
// (2024-05-01T00:00:00Z, .000+0000 and ±hh:mm offsets too), a quoted string compared
// with a datetime field is an error, text compares case-insensitively. Anything outside
// the subset is MALFORMED_QUERY, so a connector cannot rely on SOQL the simulator fakes.
import { SfError, malformedQuery } from './errors.ts';
import { findField, findType, type Field, type SObjectType } from './schema.ts';
import { normaliseId } from './ids.ts';
import type { SfRecord, Value } from './store.ts';

type Token = { t: 'word' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct'; v: string };
const TOKEN =
  /\s*(?:('(?:[^'\\]|\\.)*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))|(\d{4}-\d{2}-\d{2})(?![\dT])|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|(!=|<>|<=|>=|=|<|>)|([(),]))/y;

function tokenize(soql: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < soql.length) {
    if (/^\s*$/.test(soql.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(soql);
    if (!m) throw malformedQuery(`unexpected token: '${soql.slice(start).trim().split(/\s/)[0]}'`);
    if (m[1]) out.push({ t: 'string', v: m[1].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[2]) out.push({ t: 'datetime', v: m[2] });
    else if (m[3]) out.push({ t: 'date', v: m[3] });
    else if (m[4]) out.push({ t: 'number', v: m[4] });
    else if (m[5]) out.push({ t: 'word', v: m[5] });
    else if (m[6]) out.push({ t: 'op', v: m[6] });
    else out.push({ t: 'punct', v: m[7]! });
  }
  return out;
}

export interface Order {
  field: Field;
  desc: boolean;
  nullsLast: boolean;
}
export interface Query {
  type: SObjectType;
  fields: Field[];
  where: (rec: SfRecord) => boolean;
  order: Order[];
  limit?: number;
  offset: number;
}

/** A comparable form of a stored value or a literal: text folded to lower case, ids to 18 characters. */
function comparable(field: Field, v: Value): Value {
  if (v === null) return null;
  if (field.kind === 'string' || field.kind === 'picklist') return String(v).toLowerCase();
  if (field.kind === 'id' || field.kind === 'reference') return normaliseId(String(v)) ?? String(v);
  return v;
}

function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** `lookup` finds a field of the org (its custom fields included); by default the standard ones. */
export function parseSoql(soql: string, lookup: (type: SObjectType, name: string) => Field | undefined = findField): Query {
  const tokens = tokenize(soql);
  let i = 0;
  const peek = () => tokens[i];
  const isWord = (w: string, tok = peek()) => tok?.t === 'word' && tok.v.toUpperCase() === w;
  const unexpected = (): never => {
    const tok = peek();
    throw malformedQuery(tok ? `unexpected token: '${tok.v}'` : 'unexpected end of query');
  };
  const expectWord = (w: string) => (isWord(w) ? i++ : unexpected());
  const expectPunct = (p: string) => (peek()?.t === 'punct' && peek()?.v === p ? i++ : unexpected());

  expectWord('SELECT');
  const names: string[] = [];
  do {
    const tok = peek();
    if (tok?.t !== 'word' || ['FROM', 'SELECT'].includes(tok.v.toUpperCase())) unexpected();
    names.push(tok!.v);
    i++;
  } while (peek()?.v === ',' && ++i);
  expectWord('FROM');
  const objectName = peek()?.t === 'word' ? peek()!.v : unexpected();
  i++;
  const type = findType(objectName);
  if (!type)
    throw new SfError(
      400,
      'INVALID_TYPE',
      `sObject type '${objectName}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  const field = (name: string): Field => {
    if (name.includes('.')) throw malformedQuery(`relationship fields are not simulated: '${name}'`);
    const f = lookup(type, name);
    if (!f)
      throw new SfError(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on entity '${type}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    return f;
  };
  const fields = names.map(field);

  // A literal typed against the field it is compared with.
  const literal = (f: Field): Value => {
    const tok = peek() ?? unexpected();
    i++;
    if (tok.t === 'word' && tok.v.toLowerCase() === 'null') return null;
    const wrong = (what: string): never => {
      throw new SfError(400, 'INVALID_FIELD', `value of filter criterion for field '${f.name}' must be of type ${what}`);
    };
    switch (f.kind) {
      case 'datetime':
        if (tok.t !== 'datetime') wrong('dateTime and should not be enclosed in quotes');
        return new Date(tok.v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).toISOString();
      case 'date':
        if (tok.t !== 'date') wrong('date and should not be enclosed in quotes');
        return tok.v;
      case 'boolean':
        if (tok.t !== 'word' || !/^(true|false)$/i.test(tok.v)) wrong('boolean and should not be enclosed in quotes');
        return tok.v.toLowerCase() === 'true';
      case 'int':
        if (tok.t !== 'number') wrong('double and should not be enclosed in quotes');
        return Number(tok.v);
      default:
        if (tok.t !== 'string') wrong('string and should be enclosed in quotes');
        return comparable(f, tok.v);
    }
  };

  type Pred = (rec: SfRecord) => boolean;
  const condition = (): Pred => {
    const tok = peek();
    if (tok?.t !== 'word') unexpected();
    const f = field(tok!.v);
    i++;
    const negated = isWord('NOT') && isWord('IN', tokens[i + 1]) ? (i++, true) : false;
    if (isWord('IN')) {
      i++;
      expectPunct('(');
      const set: Value[] = [literal(f)];
      while (peek()?.v === ',') {
        i++;
        set.push(literal(f));
      }
      expectPunct(')');
      return (rec) => set.includes(comparable(f, rec[f.name] ?? null)) !== negated;
    }
    const op = peek()?.t === 'op' ? peek()!.v : unexpected();
    i++;
    const value = literal(f);
    return (rec) => {
      const v = comparable(f, rec[f.name] ?? null);
      if (op === '=') return v === value;
      if (op === '!=' || op === '<>') return v !== value;
      if (v === null || value === null) return false; // null never orders
      const c = compare(v, value);
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    };
  };
  const factor = (): Pred => {
    if (isWord('NOT')) {
      i++;
      const inner = factor();
      return (rec) => !inner(rec);
    }
    if (peek()?.v === '(') {
      i++;
      const inner = disjunction();
      expectPunct(')');
      return inner;
    }
    return condition();
  };
  const conjunction = (): Pred => {
    const parts = [factor()];
    while (isWord('AND') && ++i) parts.push(factor());
    return (rec) => parts.every((p) => p(rec));
  };
  const disjunction = (): Pred => {
    const parts = [conjunction()];
    while (isWord('OR') && ++i) parts.push(conjunction());
    return (rec) => parts.some((p) => p(rec));
  };

  let where: Pred = () => true;
  if (isWord('WHERE')) {
    i++;
    where = disjunction();
  }
  const order: Order[] = [];
  if (isWord('ORDER')) {
    i++;
    expectWord('BY');
    do {
      const tok = peek();
      if (tok?.t !== 'word') unexpected();
      const f = field(tok!.v);
      i++;
      const desc = isWord('DESC') ? (i++, true) : (isWord('ASC') && i++, false);
      // Salesforce puts nulls first ascending and last descending unless told.
      let nullsLast = desc;
      if (isWord('NULLS')) {
        i++;
        nullsLast = isWord('LAST') ? true : isWord('FIRST') ? false : unexpected();
        i++;
      }
      order.push({ field: f, desc, nullsLast });
    } while (peek()?.v === ',' && ++i);
  }
  const count = (): number => {
    i++;
    const tok = peek();
    if (tok?.t !== 'number' || !/^\d+$/.test(tok.v)) unexpected();
    i++;
    return Number(tok!.v);
  };
  const limit = isWord('LIMIT') ? count() : undefined;
  const offset = isWord('OFFSET') ? count() : 0;
  if (peek()) unexpected();
  return { type, fields, where, order, limit, offset };
}

/** Runs a parsed query over records in creation order. */
export function runQuery(q: Query, records: SfRecord[]): SfRecord[] {
  const hits = records.filter(q.where);
  if (q.order.length) {
    hits.sort((a, b) => {
      for (const o of q.order) {
        const x = comparable(o.field, a[o.field.name] ?? null);
        const y = comparable(o.field, b[o.field.name] ?? null);
        if (x === y) continue;
        if (x === null || y === null) return (x === null) === o.nullsLast ? 1 : -1;
        return compare(x, y) * (o.desc ? -1 : 1);
      }
      return 0;
    });
  }
  return hits.slice(q.offset, q.limit === undefined ? undefined : q.offset + q.limit);
}
