// What text Chaseline accepts: NUL and lone surrogates are found wherever they hide (keys too)
// and named by their path; nesting is capped without recursion; vendor text is cleaned.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../errors.ts';
import { MAX_DEPTH, assertAcceptedText, cleanString, cleanVendorText, findBadText, isAcceptedText } from './text.ts';

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('findBadText', () => {
  test('names the first bad value or key by its dotted path', () => {
    assert.deepEqual(findBadText({ name: 'ok', attributes: { note: 'a\u0000b' } }), { path: ['attributes', 'note'], problem: 'nul', inKey: false });
    assert.deepEqual(findBadText({ tags: ['a', 'b', '\ud800x'] }), { path: ['tags', 2], problem: 'surrogate', inKey: false });
    assert.deepEqual(findBadText({ attributes: { 'k\u0000': 1 } }), { path: ['attributes', 'k\u0000'], problem: 'nul', inKey: true });
    assert.deepEqual(findBadText({ a: 'x\udc00' }), { path: ['a'], problem: 'surrogate', inKey: false });
    assert.deepEqual(findBadText('\u0000'), { path: [], problem: 'nul', inKey: false });
  });

  test('well-formed text passes, whatever the script, emoji (surrogate pairs) included', () => {
    for (const ok of ['', 'Pat', '张伟', '😀 ok', 'a\u0001b', { x: ['\ud83d\ude00', { y: 'Zoë' }] }, 42, null, true]) {
      assert.equal(findBadText(ok), null, JSON.stringify(ok));
    }
  });

  test(`nesting is capped at ${MAX_DEPTH}, and 100,000 levels neither overflow the stack nor pass`, () => {
    assert.equal(findBadText(nested(MAX_DEPTH)), null);
    const deep = findBadText(nested(MAX_DEPTH + 1));
    assert.equal(deep?.problem, 'depth');
    assert.equal(deep?.path.length, MAX_DEPTH);
    const veryDeep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    assert.equal(findBadText(veryDeep)?.problem, 'depth');
  });

  test('any string holding NUL or a lone surrogate is refused, any other is accepted (property)', () => {
    const bad = fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), bad, fc.string({ unit: 'grapheme' }), (before, b, after) => {
        // A high surrogate followed by a low one would be a pair; keep the bad one unpaired.
        const text = `${before}${b}${/^[\udc00-\udfff]/.test(after) ? 'x' : ''}${after}`;
        const prev = before.slice(-1);
        if (b >= '\udc00' && b <= '\udfff' && prev >= '\ud800' && prev <= '\udbff') return;
        assert.equal(isAcceptedText(text), false);
        assert.equal(isAcceptedText(cleanString(text)), true);
      }),
      { seed: 20260410 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => (!s.includes('\u0000') ? isAcceptedText(s) : true)),
      { seed: 20260410 },
    );
  });
});

describe('assertAcceptedText', () => {
  test('throws VALIDATION naming the field; root names a bare value', () => {
    const err = (() => {
      try {
        assertAcceptedText({ context: { sku: 'A\u0000' } });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'VALIDATION');
    assert.equal(err.field, 'context.sku');
    assert.throws(
      () => assertAcceptedText('\u0000', 'input'),
      (e: AppError) => e.field === 'input',
    );
  });

  test('a bad key is named with the bad character shown as U+FFFD, never echoed raw', () => {
    assert.throws(
      () => assertAcceptedText({ attributes: { 'no\u0000te': 'x' } }),
      (e: AppError) => e.field === 'attributes.no\uFFFDte' && /key/.test(e.message),
    );
  });
});

describe('cleanVendorText', () => {
  test('drops NUL and replaces lone surrogates in keys and values, leaving dates and numbers', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const cleaned = cleanVendorText({ name: 'Pa\u0000t', tags: ['v\ud800ip'], 'k\u0000': 1, at, n: 2 });
    assert.deepEqual(cleaned, { name: 'Pat', tags: ['v\uFFFDip'], k: 1, at, n: 2 });
    const same = { a: 'fine' };
    assert.equal(cleanVendorText(same), same, 'clean data is returned as is');
  });

  test('refuses vendor data nested past the cap', () => {
    assert.throws(
      () => cleanVendorText(nested(MAX_DEPTH + 1)),
      (e: AppError) => e.code === 'VALIDATION',
    );
  });
});
