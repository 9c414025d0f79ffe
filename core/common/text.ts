/**
 * The one place that decides what text Chaseline accepts. PostgreSQL cannot hold a NUL
 * character in `text` or `jsonb`, and a lone UTF-16 surrogate is not Unicode at all (jsonb
 * refuses `\ud800`), so both are refused at the edge with the field they were found in —
 * never discovered by the database as a 500. Nesting is capped too: a value nested thousands
 * deep overflows the stack of anything that walks it recursively (JSON.stringify included).
 *
 * Every walk here is iterative, so no input can overflow it.
 */
import { AppError } from '../errors.ts';

/** The deepest nesting of objects and arrays accepted in any input. */
export const MAX_DEPTH = 64;

export type TextProblem = 'nul' | 'surrogate' | 'depth';

export interface BadText {
  /** Where: object keys and array indexes from the root, as zod names a field. */
  path: (string | number)[];
  problem: TextProblem;
  /** True when the offending text is an object key rather than a value. */
  inKey: boolean;
}

// Without the `u` flag a regex sees UTF-16 code units, so an unpaired surrogate is matchable.
// NUL is what these look for, hence the control character.
/* eslint-disable no-control-regex */
const BAD = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BAD_ALL = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

/** What is wrong with a string, or null when it can be stored as it is. */
export function textProblem(text: string): Exclude<TextProblem, 'depth'> | null {
  const found = BAD.exec(text);
  if (!found) return null;
  return found[0] === '\u0000' ? 'nul' : 'surrogate';
}

export const isAcceptedText = (text: string): boolean => !BAD.test(text);

/** Objects and arrays as JSON makes them; class instances (a Date, a Buffer) are left alone. */
const isPlain = (v: unknown): v is object => {
  if (typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

interface Node {
  value: unknown;
  key: string | number | null;
  parent: Node | null;
  depth: number;
}

const pathOf = (node: Node): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let n: Node | null = node; n && n.key !== null; n = n.parent) path.unshift(n.key);
  return path;
};

/**
 * The first place (depth first, in key order) where `value` holds text the database cannot
 * store or nests deeper than `maxDepth`; null when all is well. Keys are checked as well as values.
 */
export function findBadText(value: unknown, maxDepth = MAX_DEPTH): BadText | null {
  const stack: Node[] = [{ value, key: null, parent: null, depth: 0 }];
  while (stack.length) {
    const node = stack.pop()!;
    const v = node.value;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: pathOf(node), problem, inKey: false };
      continue;
    }
    if (!isPlain(v)) continue;
    if (node.depth >= maxDepth) return { path: pathOf(node), problem: 'depth', inKey: false };
    const depth = node.depth + 1;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node, depth });
      continue;
    }
    const entries = Object.entries(v);
    for (const [key] of entries) {
      const problem = textProblem(key);
      if (problem) return { path: [...pathOf(node), key], problem, inKey: true };
    }
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], key: entries[i]![0], parent: node, depth });
  }
  return null;
}

/** A string with NUL dropped and each unpaired surrogate replaced by U+FFFD. */
export const cleanString = (text: string): string => text.replace(BAD_ALL, (c) => (c === '\u0000' ? '' : '\uFFFD'));

/** A string safe to store and echo, each bad character shown as U+FFFD (for names of things, not data). */
export const displayText = (text: string): string => text.replace(BAD_ALL, '\uFFFD');

const MAX_FIELD = 200;

/** The dotted field name of a path, safe to echo: bad characters replaced, long names cut. */
export function fieldName(path: (string | number)[], root: string): string {
  if (!path.length) return root;
  const name = path.map((p) => displayText(String(p))).join('.');
  return name.length > MAX_FIELD ? `${name.slice(0, MAX_FIELD)}…` : name;
}

const explain: Record<TextProblem, string> = {
  nul: 'must not contain the NUL character (\\u0000)',
  surrogate: 'must not contain an unpaired UTF-16 surrogate (\\ud800-\\udfff): send well-formed Unicode',
  depth: `is nested more than ${MAX_DEPTH} levels deep`,
};

/** The 400 for bad text at `bad`, naming the field. */
export function badTextError(bad: BadText, root = 'body'): AppError {
  const field = fieldName(bad.path, root);
  const what = bad.inKey ? `the key ${field}` : field;
  return new AppError('VALIDATION', `${what} ${explain[bad.problem]}`, { field, details: { reason: bad.problem } });
}

/**
 * Throws a 400 VALIDATION naming the first field of `value` the database could not store.
 * `root` names the value itself when it is the culprit (a body that is one bad string).
 */
export function assertAcceptedText(value: unknown, root = 'body'): void {
  const bad = findBadText(value);
  if (bad) throw badTextError(bad, root);
}

/**
 * A copy of data a vendor sent (a CRM record, a webhook's event) with NUL dropped and lone
 * surrogates replaced, in keys and values: the vendor's own data is kept rather than refused,
 * since refusing it would fail a whole sync page or make the vendor retry forever.
 * Nesting past MAX_DEPTH is refused (400), as for clients.
 */
export function cleanVendorText<T>(value: T): T {
  const bad = findBadText(value);
  if (!bad) return value;
  if (bad.problem === 'depth') throw badTextError(bad, 'payload');
  const copy = (v: unknown, depth: number): unknown => {
    // findBadText bounded the depth above, so this recursion is bounded too.
    if (typeof v === 'string') return cleanString(v);
    if (!isPlain(v) || depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) return v.map((item) => copy(item, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [cleanString(k), copy(item, depth + 1)]));
  };
  return copy(value, 0) as T;
}
