/**
 * Number quality in the chase step: with `numberChecks: before-first-dial` the worker asks
 * Twilio Lookup (the simulator, through the real SDK) before the first contact, once per
 * number; a landline gets the call but never the SMS.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase } from '../../core/chases/chases.ts';
import { setTenantChaseRules } from '../../core/campaigns/campaigns.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { campaign, contact, waitForChase } from './support.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };

before(async () => {
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 } });
  await setTenantChaseRules(app.worker, app.tenantId, { numberChecks: 'before-first-dial' });
});
after(() => app.close());

const LANDLINE = '+861065529988'; // a Beijing fixed line: the simulator types it from the numbering plan

test('a landline is never texted: the SMS step ends the chase with the reason, and nothing is sent', async () => {
  const deps = app.worker;
  const id = await contact(deps, app.tenantId, LANDLINE);
  const sms = await campaign(deps, app.tenantId, { channel: { policy: 'sms' } });
  const done = await waitForChase(
    deps,
    app.tenantId,
    (await startChase(deps, app.tenantId, { campaignId: sms.id, contact: { id }, context: { link: 'https://shop.example/r/1' } })).id,
  );
  assert.equal(done.status, 'failed');
  assert.equal(done.outcome, 'cannot-text');
  assert.match(done.lastError ?? '', /landline/);
  assert.equal(app.sim.messages().filter((m) => m.to === LANDLINE).length, 0);

  // The same number may be called, and the carrier is not asked about it again.
  const voice = await campaign(deps, app.tenantId, { name: 'voice', channel: { policy: 'voice' } });
  const called = await waitForChase(deps, app.tenantId, (await startChase(deps, app.tenantId, { campaignId: voice.id, contact: { id } })).id);
  assert.equal(called.status, 'completed');
  assert.equal(app.sim.calls().filter((c) => c.to === LANDLINE).length, 1);
  assert.equal(app.sim.lookups().length, 1, 'one lookup, then the cache');
});
