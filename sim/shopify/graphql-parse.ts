// Just enough of a GraphQL parser for the operations Chaseline sends: operations with
// variables, fields with aliases, arguments and selection sets. Fragments and directives
// are refused — a simulator that silently ignored them would answer something else than
// Shopify. No GraphQL library is installed, and this subset fits in one small file.

export type Value =
  { kind: 'var'; name: string } | { kind: 'literal'; value: unknown } | { kind: 'list'; items: Value[] } | { kind: 'object'; fields: Record<string, Value> };

export interface Field {
  alias?: string;
  name: string;
  args: Record<string, Value>;
  selections: Field[] | null;
  line: number;
  column: number;
}

export interface Operation {
  type: 'query' | 'mutation';
  name?: string;
  selections: Field[];
}

export class GraphQLSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'punct' | 'name' | 'string' | 'number' | 'eof';
  value: string;
  line: number;
  column: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0,
    line = 1,
    lineStart = 0;
  const at = () => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (/[\s,\r\t\uFEFF]/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const pos = at();
    if (source.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...', ...pos });
      i += 3;
      continue;
    }
    if ('{}()[]:!$=@|&'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch, ...pos });
      i++;
      continue;
    }
    const name = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i))?.[0];
    if (name) {
      tokens.push({ kind: 'name', value: name, ...pos });
      i += name.length;
      continue;
    }
    const num = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i))?.[0];
    if (num) {
      tokens.push({ kind: 'number', value: num, ...pos });
      i += num.length;
      continue;
    }
    if (source.startsWith('"""', i)) {
      const end = source.indexOf('"""', i + 3);
      if (end < 0) throw new GraphQLSyntaxError('Unterminated string', pos.line, pos.column);
      tokens.push({ kind: 'string', value: source.slice(i + 3, end).trim(), ...pos });
      i = end + 3;
      continue;
    }
    if (ch === '"') {
      const m = /^"((?:[^"\\\n]|\\.)*)"/.exec(source.slice(i));
      if (!m) throw new GraphQLSyntaxError('Unterminated string', pos.line, pos.column);
      tokens.push({ kind: 'string', value: JSON.parse(m[0]) as string, ...pos });
      i += m[0].length;
      continue;
    }
    throw new GraphQLSyntaxError(`Parse error on "${ch}"`, pos.line, pos.column);
  }
  tokens.push({ kind: 'eof', value: '', ...at() });
  return tokens;
}

export function parseDocument(source: string): Operation[] {
  const tokens = tokenize(source);
  let p = 0;
  const peek = () => tokens[p]!;
  const next = () => tokens[p++]!;
  const fail = (t: Token, what = `Parse error on "${t.value || 'end of document'}"`): never => {
    throw new GraphQLSyntaxError(what, t.line, t.column);
  };
  const expect = (value: string) => {
    const t = next();
    if (t.value !== value || (t.kind !== 'punct' && t.kind !== 'name')) fail(t);
  };
  const isPunct = (value: string) => peek().kind === 'punct' && peek().value === value;

  const parseValue = (): Value => {
    const t = next();
    if (t.kind === 'punct' && t.value === '$') {
      const n = next();
      if (n.kind !== 'name') fail(n);
      return { kind: 'var', name: n.value };
    }
    if (t.kind === 'string') return { kind: 'literal', value: t.value };
    if (t.kind === 'number') return { kind: 'literal', value: Number(t.value) };
    if (t.kind === 'name') {
      if (t.value === 'true' || t.value === 'false') return { kind: 'literal', value: t.value === 'true' };
      if (t.value === 'null') return { kind: 'literal', value: null };
      return { kind: 'literal', value: t.value }; // an enum value
    }
    if (t.kind === 'punct' && t.value === '[') {
      const items: Value[] = [];
      while (!isPunct(']')) items.push(parseValue());
      next();
      return { kind: 'list', items };
    }
    if (t.kind === 'punct' && t.value === '{') {
      const fields: Record<string, Value> = {};
      while (!isPunct('}')) {
        const n = next();
        if (n.kind !== 'name') fail(n);
        expect(':');
        fields[n.value] = parseValue();
      }
      next();
      return { kind: 'object', fields };
    }
    return fail(t);
  };

  const parseArgs = (): Record<string, Value> => {
    const args: Record<string, Value> = {};
    if (!isPunct('(')) return args;
    next();
    while (!isPunct(')')) {
      const n = next();
      if (n.kind !== 'name') fail(n);
      expect(':');
      args[n.value] = parseValue();
    }
    next();
    return args;
  };

  const noDirectives = () => {
    if (isPunct('@')) fail(peek(), 'Directives are not supported by the Shopify simulator');
  };

  const parseSelections = (): Field[] => {
    expect('{');
    const fields: Field[] = [];
    while (!isPunct('}')) {
      if (isPunct('...')) fail(peek(), 'Fragments are not supported by the Shopify simulator');
      const t = next();
      if (t.kind !== 'name') fail(t);
      let alias: string | undefined;
      let name = t.value;
      if (isPunct(':')) {
        next();
        const n = next();
        if (n.kind !== 'name') fail(n);
        alias = name;
        name = n.value;
      }
      const args = parseArgs();
      noDirectives();
      const selections = isPunct('{') ? parseSelections() : null;
      fields.push({ alias, name, args, selections, line: t.line, column: t.column });
    }
    next();
    if (!fields.length) fail(peek());
    return fields;
  };

  // Variable definitions are read and dropped: the client's variables arrive as JSON.
  const skipVariableDefinitions = () => {
    if (!isPunct('(')) return;
    let depth = 0;
    do {
      const t = next();
      if (t.kind === 'eof') fail(t);
      if (t.kind === 'punct' && t.value === '(') depth++;
      if (t.kind === 'punct' && t.value === ')') depth--;
    } while (depth > 0);
  };

  const operations: Operation[] = [];
  while (peek().kind !== 'eof') {
    if (isPunct('{')) {
      operations.push({ type: 'query', selections: parseSelections() });
      continue;
    }
    const t = next();
    if (t.kind === 'name' && t.value === 'fragment') fail(t, 'Fragments are not supported by the Shopify simulator');
    if (t.kind !== 'name' || (t.value !== 'query' && t.value !== 'mutation')) fail(t);
    const name = peek().kind === 'name' ? next().value : undefined;
    skipVariableDefinitions();
    noDirectives();
    operations.push({ type: t.value as 'query' | 'mutation', name, selections: parseSelections() });
  }
  if (!operations.length) fail(peek(), 'Parse error on end of document');
  return operations;
}

/** An argument's value with the request's variables substituted. */
export function valueOf(value: Value | undefined, variables: Record<string, unknown>): unknown {
  if (!value) return undefined;
  switch (value.kind) {
    case 'var':
      return variables[value.name];
    case 'literal':
      return value.value;
    case 'list':
      return value.items.map((v) => valueOf(v, variables));
    case 'object':
      return Object.fromEntries(Object.entries(value.fields).map(([k, v]) => [k, valueOf(v, variables)]));
  }
}
