/**
 * Segment definitions: their type, a validator that names the offending path, and a compiler
 * from rule tiers to one parameterised SQL `case` expression over a contact row
 * (`attributes`, `tags`), so membership is computed set-based in a single statement.
 */
import { validation } from '../errors.ts';

export const ruleOps = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in'] as const;
export type RuleOp = (typeof ruleOps)[number];
export type Scalar = string | number;

export type Condition =
  { all: Condition[] } | { any: Condition[] } | { attribute: string; op: RuleOp; value: Scalar | Scalar[] } | { tag: string } | { notTag: string };

export interface Tier {
  name: string;
  when: Condition;
}

export interface RulesDefinition {
  kind: 'rules';
  /** Tried in order: the first tier whose condition holds wins; a contact matching none is not a member. */
  tiers: Tier[];
}

export interface KmeansDefinition {
  kind: 'kmeans';
  /** Numeric attributes to cluster on; contacts missing any of them are left out. */
  attributes: string[];
  k: number;
  seed?: number;
}

export type SegmentDefinition = RulesDefinition | KmeansDefinition;

export const LIMITS = { tiers: 50, depth: 8, children: 50, inValues: 500, name: 100, text: 500, kmeansAttributes: 10 } as const;
export const KMEANS_K = { min: 2, max: 20 } as const;

const numericOps: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (path: string, message: string): never => {
  throw validation(`${path}: ${message}`, path);
};

function text(v: unknown, path: string, max: number = LIMITS.text): string {
  if (typeof v !== 'string' || v.trim() === '') fail(path, 'must be a non-empty string');
  if ((v as string).length > max) fail(path, `must be at most ${max} characters`);
  return v as string;
}

function scalar(v: unknown, path: string): Scalar {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length <= LIMITS.text) return v;
  return fail(path, 'must be a string or a finite number');
}

function list(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v)) fail(path, 'must be an array');
  if ((v as unknown[]).length > max) fail(path, `must have at most ${max} items`);
  return v as unknown[];
}

function condition(v: unknown, path: string, depth: number): Condition {
  if (!isObject(v)) return fail(path, 'must be an object');
  if (depth > LIMITS.depth) fail(path, `conditions nest at most ${LIMITS.depth} deep`);
  const shapes = ['all', 'any', 'attribute', 'tag', 'notTag'].filter((k) => k in v);
  if (shapes.length !== 1) fail(path, 'must have exactly one of all, any, attribute, tag, notTag');
  const shape = shapes[0]!;
  if (shape === 'all' || shape === 'any') {
    const children = list(v[shape], `${path}.${shape}`, LIMITS.children).map((c, i) => condition(c, `${path}.${shape}.${i}`, depth + 1));
    return shape === 'all' ? { all: children } : { any: children };
  }
  if (shape === 'tag') return { tag: text(v.tag, `${path}.tag`, LIMITS.name) };
  if (shape === 'notTag') return { notTag: text(v.notTag, `${path}.notTag`, LIMITS.name) };
  const attribute = text(v.attribute, `${path}.attribute`, LIMITS.name);
  const op = v.op;
  if (typeof op !== 'string' || !(ruleOps as readonly string[]).includes(op)) {
    return fail(`${path}.op`, `must be one of ${ruleOps.join(', ')}`);
  }
  const valuePath = `${path}.value`;
  if (op === 'in') {
    const values = list(v.value, valuePath, LIMITS.inValues).map((x, i) => scalar(x, `${valuePath}.${i}`));
    if (values.length === 0) fail(valuePath, 'must list at least one value');
    return { attribute, op, value: values };
  }
  if (op in numericOps && (typeof v.value !== 'number' || !Number.isFinite(v.value))) fail(valuePath, `must be a number for ${op}`);
  return { attribute, op: op as RuleOp, value: scalar(v.value, valuePath) };
}

function rules(v: Obj): RulesDefinition {
  const tiers = list(v.tiers, 'tiers', LIMITS.tiers);
  if (tiers.length === 0) fail('tiers', 'must have at least one tier');
  const seen = new Set<string>();
  return {
    kind: 'rules',
    tiers: tiers.map((t, i) => {
      if (!isObject(t)) return fail(`tiers.${i}`, 'must be an object');
      const name = text(t.name, `tiers.${i}.name`, LIMITS.name);
      if (seen.has(name)) fail(`tiers.${i}.name`, `"${name}" is already the name of an earlier tier`);
      seen.add(name);
      return { name, when: condition(t.when, `tiers.${i}.when`, 1) };
    }),
  };
}

function kmeans(v: Obj): KmeansDefinition {
  const attributes = list(v.attributes, 'attributes', LIMITS.kmeansAttributes).map((a, i) => text(a, `attributes.${i}`, LIMITS.name));
  if (attributes.length === 0) fail('attributes', 'must name at least one numeric attribute');
  if (new Set(attributes).size !== attributes.length) fail('attributes', 'must not repeat an attribute');
  const k = v.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < KMEANS_K.min || k > KMEANS_K.max) {
    fail('k', `must be an integer from ${KMEANS_K.min} to ${KMEANS_K.max}`);
  }
  if (v.seed !== undefined && !Number.isSafeInteger(v.seed)) fail('seed', 'must be an integer');
  return { kind: 'kmeans', attributes, k: k as number, ...(v.seed === undefined ? {} : { seed: v.seed as number }) };
}

/** Checks a definition from outside; returns a clean copy or throws VALIDATION naming the path. */
export function validateDefinition(v: unknown): SegmentDefinition {
  if (!isObject(v)) return fail('kind', 'the definition must be an object');
  if (v.kind === 'rules') return rules(v);
  if (v.kind === 'kmeans') return kmeans(v);
  return fail('kind', 'must be rules or kmeans');
}

export interface CompiledSql {
  sql: string;
  params: unknown[];
}

// Text that casts to numeric without error; anything else is "not a number" and matches no numeric rule.
const NUMERIC_TEXT = `'^\\s*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$'`;

/**
 * The numeric value of a text SQL expression, or null when it is not a number. A CASE is
 * evaluated in order, so the cast only ever sees numeric-looking text and never fails.
 */
export const numericSql = (textExpr: string) => `(case when ${textExpr} ~ ${NUMERIC_TEXT} then ${textExpr}::numeric end)`;

/**
 * `case when <tier 1> then $n when <tier 2> then $m … end`: the name of the first tier a
 * contact row matches, or null. Placeholders start at `$firstParam` (the statement's own
 * parameters come first). Attribute names and values are always parameters, never SQL.
 */
export function compileTiers(def: RulesDefinition, firstParam: number): CompiledSql {
  const params: unknown[] = [];
  const p = (value: unknown, cast: string) => {
    params.push(value);
    return `$${firstParam + params.length - 1}::${cast}`;
  };
  const compile = (c: Condition): string => {
    if ('all' in c) return c.all.length ? `(${c.all.map(compile).join(' and ')})` : 'true';
    if ('any' in c) return c.any.length ? `(${c.any.map(compile).join(' or ')})` : 'false';
    if ('tag' in c) return `(tags @> array[${p(c.tag, 'text')}])`;
    if ('notTag' in c) return `(not tags @> array[${p(c.notTag, 'text')}])`;
    const value = `(attributes ->> ${p(c.attribute, 'text')})`;
    const sqlOp = numericOps[c.op];
    if (sqlOp) {
      return `(${numericSql(value)} ${sqlOp} ${p(c.value, 'numeric')})`;
    }
    if (c.op === 'in') return `(${value} = any(${p((c.value as Scalar[]).map(String), 'text[]')}))`;
    // A contact without the attribute is not equal to the value (so it matches neq).
    if (c.op === 'neq') return `(${value} is distinct from ${p(String(c.value), 'text')})`;
    return `(${value} = ${p(String(c.value), 'text')})`;
  };
  const whens = def.tiers.map((t) => {
    const when = compile(t.when);
    return `when ${when} then ${p(t.name, 'text')}`;
  });
  return { sql: `case ${whens.join(' ')} end`, params };
}
