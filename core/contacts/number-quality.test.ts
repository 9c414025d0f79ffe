// Number quality verdicts: pure. The cache and marking run against PostgreSQL and the
// carrier simulator in test/number-quality.test.ts (core/ may not import connectors or sim).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INVALID_NUMBER_REASON, numberVerdict } from './number-quality.ts';
import type { LineType } from '../ports.ts';

describe('numberVerdict', () => {
  const check = (valid: boolean, lineType: LineType | null) => ({ valid, lineType });

  test('an invalid number is used on no channel', () => {
    assert.equal(numberVerdict(check(false, null), 'voice'), INVALID_NUMBER_REASON);
    assert.equal(numberVerdict(check(false, 'mobile'), 'sms'), INVALID_NUMBER_REASON);
  });

  test('a landline is called but never texted', () => {
    assert.equal(numberVerdict(check(true, 'landline'), 'voice'), null);
    assert.equal(numberVerdict(check(true, 'landline'), 'sms'), 'the number is a landline, which cannot receive texts');
  });

  test('lines that take texts: mobile, app VoIP, and lines the carrier could not type', () => {
    for (const type of ['mobile', 'voip', null] as const) {
      assert.equal(numberVerdict(check(true, type), 'sms'), null, String(type));
      assert.equal(numberVerdict(check(true, type), 'voice'), null, String(type));
    }
  });

  test('lines that do not take texts are still called, except premium-rate numbers', () => {
    for (const type of ['fixed-voip', 'toll-free', 'other'] as const) {
      assert.match(numberVerdict(check(true, type), 'sms') ?? '', /cannot receive texts/, type);
      assert.equal(numberVerdict(check(true, type), 'voice'), null, type);
    }
    assert.match(numberVerdict(check(true, 'premium'), 'sms') ?? '', /cannot receive texts/);
    assert.match(numberVerdict(check(true, 'premium'), 'voice') ?? '', /premium-rate/);
  });
});
