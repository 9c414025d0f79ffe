import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../errors.ts';
import { compileTiers, validateDefinition, type RulesDefinition } from './rules.ts';

/** The VALIDATION error's field for a definition that must be rejected. */
function fieldOf(definition: unknown): string | undefined {
  try {
    validateDefinition(definition);
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'VALIDATION');
    return err.field;
  }
  assert.fail('the definition was accepted');
}

const tiered: RulesDefinition = {
  kind: 'rules',
  tiers: [
    {
      name: 'hot',
      when: {
        all: [
          { attribute: 'intent', op: 'eq', value: 'high' },
          { attribute: 'orderValue', op: 'gte', value: 300 },
        ],
      },
    },
    { name: 'warm', when: { any: [{ attribute: 'intent', op: 'in', value: ['high', 'mid'] }, { tag: 'VIP' }] } },
    { name: 'rest', when: { notTag: 'blocked' } },
  ],
};

describe('validateDefinition', () => {
  test('accepts rule tiers and k-means definitions as they are', () => {
    assert.deepEqual(validateDefinition(tiered), tiered);
    assert.deepEqual(validateDefinition({ kind: 'kmeans', attributes: ['orderValue'], k: 3, seed: 7 }), {
      kind: 'kmeans',
      attributes: ['orderValue'],
      k: 3,
      seed: 7,
    });
  });

  test('names the path of the offending rule', () => {
    const bad = (when: unknown) => ({ kind: 'rules', tiers: [tiered.tiers[0], { name: 'b', when }] });
    assert.equal(fieldOf(bad({ all: [{ attribute: 'x', op: 'between', value: 1 }] })), 'tiers.1.when.all.0.op');
    assert.equal(fieldOf(bad({ any: [{ tag: 'a' }, { attribute: 'x', op: 'gt', value: '300' }] })), 'tiers.1.when.any.1.value');
    assert.equal(fieldOf(bad({ attribute: 'x', op: 'in', value: 'a' })), 'tiers.1.when.value');
    assert.equal(fieldOf(bad({ attribute: 'x', op: 'in', value: [] })), 'tiers.1.when.value');
    assert.equal(fieldOf(bad({ attribute: 'x', op: 'in', value: ['a', {}] })), 'tiers.1.when.value.1');
    assert.equal(fieldOf(bad({ attribute: '', op: 'eq', value: 'a' })), 'tiers.1.when.attribute');
    assert.equal(fieldOf(bad({ tag: 'a', notTag: 'b' })), 'tiers.1.when');
    assert.equal(fieldOf(bad({})), 'tiers.1.when');
    assert.equal(fieldOf(bad({ all: 'x' })), 'tiers.1.when.all');
    assert.equal(fieldOf(bad({ attribute: 'x', op: 'gte', value: Number.NaN })), 'tiers.1.when.value');
  });

  test('rejects bad tiers, kinds and k-means settings', () => {
    assert.equal(fieldOf(null), 'kind');
    assert.equal(fieldOf({ kind: 'magic' }), 'kind');
    assert.equal(fieldOf({ kind: 'rules', tiers: [] }), 'tiers');
    assert.equal(
      fieldOf({
        kind: 'rules',
        tiers: [
          { name: 'a', when: { tag: 'x' } },
          { name: 'a', when: { tag: 'y' } },
        ],
      }),
      'tiers.1.name',
    );
    assert.equal(fieldOf({ kind: 'kmeans', attributes: ['a'], k: 1 }), 'k');
    assert.equal(fieldOf({ kind: 'kmeans', attributes: ['a'], k: 21 }), 'k');
    assert.equal(fieldOf({ kind: 'kmeans', attributes: ['a'], k: 2.5 }), 'k');
    assert.equal(fieldOf({ kind: 'kmeans', attributes: [], k: 2 }), 'attributes');
    assert.equal(fieldOf({ kind: 'kmeans', attributes: ['a', 'a'], k: 2 }), 'attributes');
    assert.equal(fieldOf({ kind: 'kmeans', attributes: ['a'], k: 2, seed: 'x' }), 'seed');
  });

  test('limits how deep conditions nest', () => {
    let when: unknown = { tag: 'x' };
    for (let i = 0; i < 20; i++) when = { all: [when] };
    assert.match(fieldOf({ kind: 'rules', tiers: [{ name: 'deep', when }] }) ?? '', /^tiers\.0\.when(\.all\.0)+$/);
  });
});

describe('compileTiers', () => {
  test('one case expression, first tier first, every value a parameter', () => {
    const { sql, params } = compileTiers(tiered, 3);
    assert.match(sql, /^case when .* then \$\d+::text when .* then \$\d+::text when .* then \$\d+::text end$/);
    assert.ok(sql.indexOf("'hot'") === -1 && !sql.includes('high') && !sql.includes('300'), sql);
    // Placeholders run from $3 up, one per parameter, in order.
    const used = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      [...new Set(used)].sort((a, b) => a - b),
      params.map((_, i) => i + 3),
    );
    assert.deepEqual(params, ['intent', 'high', 'orderValue', 300, 'hot', 'intent', ['high', 'mid'], 'VIP', 'warm', 'blocked', 'rest']);
    assert.ok(sql.indexOf('$7') < sql.indexOf('$11') && sql.indexOf('$11') < sql.indexOf('$13'));
  });

  test('numeric comparisons cast only numeric-looking text; text ops compare text', () => {
    const one = (when: RulesDefinition['tiers'][number]['when']) => compileTiers({ kind: 'rules', tiers: [{ name: 't', when }] }, 1);
    const gte = one({ attribute: 'orderValue', op: 'gte', value: 300 });
    assert.match(gte.sql, /case when \(attributes ->> \$1::text\) ~ '.+' then \(attributes ->> \$1::text\)::numeric end\) >= \$2::numeric/);
    assert.deepEqual(gte.params, ['orderValue', 300, 't']);
    const eq = one({ attribute: 'code', op: 'eq', value: 7 });
    assert.match(eq.sql, /\(attributes ->> \$1::text\) = \$2::text/);
    assert.deepEqual(eq.params, ['code', '7', 't']);
    assert.match(one({ attribute: 'a', op: 'neq', value: 'x' }).sql, /is distinct from \$2::text/);
    assert.match(one({ attribute: 'a', op: 'in', value: [1, 'b'] }).sql, /= any\(\$2::text\[\]\)/);
    assert.deepEqual(one({ attribute: 'a', op: 'in', value: [1, 'b'] }).params, ['a', ['1', 'b'], 't']);
    assert.match(one({ notTag: 'x' }).sql, /not tags @> array\[\$1::text\]/);
    assert.match(one({ all: [] }).sql, /when true then/);
    assert.match(one({ any: [] }).sql, /when false then/);
  });
});
