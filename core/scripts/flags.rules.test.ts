// The flag rule in numbers an operator can check: the one-sided 95% Wilson lower bound of a
// script's complaint rate, over 0.5% after 200 chases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeScript, wilsonLower } from './flags.rules.ts';

test('the Wilson lower bound: below the rate, above 0, and tighter with more chases', { timeout: 5_000 }, () => {
  assert.equal(wilsonLower(0, 0), 0);
  assert.equal(wilsonLower(0, 500), 0);
  // Checked against the closed form by hand: 3 of 200 → 0.601%.
  assert.ok(Math.abs(wilsonLower(3, 200) - 0.00601) < 1e-5, String(wilsonLower(3, 200)));
  assert.ok(wilsonLower(30, 2000) > wilsonLower(3, 200));
  assert.ok(wilsonLower(3, 200) < 3 / 200);
});

test('3 complaints in 200 chases flag a script, 2 do not; under 200 chases nothing does', { timeout: 5_000 }, () => {
  assert.equal(judgeScript(3, 200).flag, true);
  assert.equal(judgeScript(2, 200).flag, false);
  assert.equal(judgeScript(50, 199).flag, false);
  assert.equal(judgeScript(9, 1000).flag, true);
  assert.equal(judgeScript(8, 1000).flag, false);
  assert.equal(judgeScript(3, 200, { autoPause: false, minChases: 200, maxComplaintRate: 0.01 }).flag, false);
});
