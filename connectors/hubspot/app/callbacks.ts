/**
 * A workflow enrollment blocked by the "Start Chaseline chase" action is completed when its
 * chase ends: POST /automation/v4/actions/callbacks/{callbackId}/complete with output fields
 * the workflow can branch on. `hs_execution_state` SUCCESS lets the enrollment go on normally;
 * FAIL_CONTINUE marks the action failed and still goes on.
 * https://developers.hubspot.com/docs/api-reference/automation-actions-v4-v4/custom-action-guide
 * https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/callbacks/complete-callback
 */
import type { Client } from '@hubspot/api-client';
import type { CallbackCompletion, WriteBackResult } from '../../../core/ports.ts';
import { hubspotAnswer, upstream } from '../errors.ts';
import type { Limit } from '../limits.ts';

/** The action's output fields (workflow-actions/start-chase-hsmeta.json names them); HubSpot takes every value as a string. */
export function completionOutputFields(c: CallbackCompletion): Record<string, string> {
  return {
    hs_execution_state: c.succeeded ? 'SUCCESS' : 'FAIL_CONTINUE',
    outcome: c.outcome,
    intent: c.intent ?? '',
    recovered_revenue: c.recoveredRevenue === null ? '0' : c.recoveredRevenue.toFixed(2),
    recovered_revenue_currency: c.currency ?? '',
  };
}

/**
 * Completes each callback, one request each (a batch answers nothing per item, and a
 * callback HubSpot no longer knows — the enrollment expired or was removed — must fail on
 * its own). Fills `results` at the given indexes; throws on a failure worth retrying.
 */
export async function completeCallbacks(
  client: Client,
  pace: (limit: Limit) => Promise<void>,
  items: { index: number; completion: CallbackCompletion }[],
  results: WriteBackResult[],
): Promise<void> {
  for (const { index, completion } of items) {
    await pace('api');
    try {
      await client.automation.actions.callbacksApi.complete(completion.callbackId, { outputFields: completionOutputFields(completion) });
      results[index] = { status: 'done', vendorId: completion.callbackId };
    } catch (err) {
      const { status } = hubspotAnswer(err);
      // Gone for good: the enrollment expired (hs_expiration_duration passed) or its workflow was turned off.
      if (status === 404 || status === 400 || status === 410)
        results[index] = { status: 'rejected', error: `HubSpot no longer waits on this workflow action (HTTP ${status})` };
      else throw upstream(err, 'completing a workflow action');
    }
  }
}
