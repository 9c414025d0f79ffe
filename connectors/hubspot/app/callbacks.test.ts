// What a blocked workflow enrollment is completed with: SUCCESS unless the chase failed or
// expired (FAIL_CONTINUE), and every output field as the string HubSpot takes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionOutputFields } from './callbacks.ts';

test('a chase that ended as planned completes the action, with its outcome, intent and revenue', () => {
  assert.deepEqual(
    completionOutputFields({ callbackId: 'cb', succeeded: true, outcome: 'interested', intent: 'yes', recoveredRevenue: 129.5, currency: 'USD' }),
    {
      hs_execution_state: 'SUCCESS',
      outcome: 'interested',
      intent: 'yes',
      recovered_revenue: '129.50',
      recovered_revenue_currency: 'USD',
    },
  );
});

test('a failed chase fails the action and lets the workflow go on; absent values are empty, revenue 0', () => {
  assert.deepEqual(completionOutputFields({ callbackId: 'cb', succeeded: false, outcome: 'unreached', intent: null, recoveredRevenue: null, currency: null }), {
    hs_execution_state: 'FAIL_CONTINUE',
    outcome: 'unreached',
    intent: '',
    recovered_revenue: '0',
    recovered_revenue_currency: '',
  });
});
