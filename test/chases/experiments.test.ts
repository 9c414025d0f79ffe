/**
 * An experiment end to end, through the carrier simulator: chases assigned to arm B are called
 * with B's script; the people in arm B say yes and those in the control say no; as their chases
 * end, the sequential test decides for B, the experiment reads `decided` with its evidence, and
 * `experiment.decided` is in the outbound events. The call activity written back to HubSpot (its
 * simulator, through the official client) names the experiment and the arm.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { eventually } from '../support/data.ts';
import { syncConnector } from '../support/connectors.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { startChase } from '../../core/chases/chases.ts';
import { judgeRunningExperiments } from '../../core/experiments/decide.ts';
import { pickWeighted, seededRandom } from '../../core/common/random.ts';
import { campaign, contact, waitForChase } from './support.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let hub: HubspotSim;

before(async () => {
  hub = await startHubspotSim({ contactProperties: ['chaseline_tags', 'chaseline_do_not_call', 'mobilephone', 'country'] });
  app = await testEngineApp({ defaultRegion: 'US', sim: { clockSpeed: 50, callsPerSecond: 100 }, concurrency: 20 });
});
after(async () => {
  await app?.close();
  await hub?.close();
});

const phone = (i: number) => `+1415556${String(1000 + i).padStart(4, '0')}`;
const SCRIPTS = [
  { name: 'a', say: 'Hi {{name}}, this is offer A.' },
  { name: 'b', say: 'Hi {{name}}, this is offer B with free shipping.' },
];
const heardText = (to: string) =>
  app.sim
    .calls()
    .filter((c) => c.to === to)
    .flatMap((c) => c.heard)
    .map((h) => h.text ?? '')
    .join('\n');

describe('an experiment decided by its outcomes', () => {
  test('arm B converts, the control does not: B wins, with the event emitted once', { timeout: 180_000 }, async () => {
    const c = await campaign(app.worker, app.tenantId, { name: 'Offers', channel: { policy: 'voice' }, scripts: SCRIPTS });
    const created = await app.request('POST', '/v1/experiments', {
      body: {
        campaignId: c.id,
        name: 'A or B',
        arms: [
          { name: 'A', script: 'a' },
          { name: 'B', script: 'b' },
        ],
        minChasesPerArm: 25,
      },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id as string;

    // The seeded draws are known in advance, so each person's answer can be set before their call.
    const seed = 2026;
    const preview = seededRandom(seed);
    const n = 64;
    const arms = Array.from({ length: n }, () => (pickWeighted([1, 1], preview) === 1 ? 'B' : 'A'));
    for (let i = 0; i < n; i++) app.sim.setPersona(phone(i), { script: [arms[i] === 'B' ? 'yes please send me the link' : 'no thanks, not interested'] });
    const deps = { ...app.worker, random: seededRandom(seed) };
    const chaseIds: string[] = [];
    for (let i = 0; i < n; i++) {
      const chase = await startChase(deps, app.tenantId, { campaignId: c.id, contact: { id: await contact(deps, app.tenantId, phone(i), { name: `P${i}` }) } });
      assert.equal(chase.experiment?.arm, arms[i]);
      chaseIds.push(chase.id);
    }
    const done = [];
    for (const chaseId of chaseIds) done.push(await waitForChase(app.worker, app.tenantId, chaseId, undefined, 120_000));
    done.forEach((d, i) => assert.equal(d.outcome, arms[i] === 'B' ? 'interested' : 'not-interested', `chase ${i} in arm ${arms[i]}`));
    // The arm's script is what was said.
    const b = arms.indexOf('B');
    const a = arms.indexOf('A');
    assert.match(heardText(phone(b)), /offer B with free shipping/);
    assert.match(heardText(phone(a)), /offer A/);
    assert.doesNotMatch(heardText(phone(a)), /offer B/);

    // The worker's tick and a reader race to judge it: decided once.
    const [ticked, read] = await Promise.all([judgeRunningExperiments(app.worker), app.request('GET', `/v1/experiments/${id}`)]);
    assert.ok(ticked <= 1);
    const e = read.status === 200 && read.body.status === 'decided' ? read.body : (await app.request('GET', `/v1/experiments/${id}`)).body;
    assert.equal(e.status, 'decided', JSON.stringify(e.progress));
    assert.equal(e.verdict.winner, 'B');
    assert.ok(e.verdict.evidence.comparisons[0].likelihoodRatio >= e.verdict.evidence.threshold);
    const countB = arms.filter((x) => x === 'B').length;
    assert.deepEqual(
      e.arms.map((x: { name: string; chases: number; conversions: number }) => [x.name, x.chases, x.conversions]),
      [
        ['A', n - countB, 0],
        ['B', countB, countB],
      ],
    );
    assert.equal(e.arms[1].conversionRate, 1);

    const { rows } = await app.db.pool.query<{ data: Record<string, unknown> }>(
      `select data from events where tenant_id = $1 and type = 'experiment.decided'`,
      [app.tenantId],
    );
    assert.equal(rows.length, 1, 'emitted once');
    assert.equal(rows[0]!.data.experimentId, id);
    assert.equal(rows[0]!.data.winner, 'B');
    assert.doesNotMatch(JSON.stringify(rows[0]!.data), /\+1415/, 'no phone number in the event');

    // Decided: no more assignment, and stopping it is a conflict.
    const late = await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id: await contact(app.worker, app.tenantId, phone(99)) } });
    assert.equal(late.experiment, null);
    const stop = await app.request('POST', `/v1/experiments/${id}/stop`, { body: {} });
    assert.equal(stop.status, 409, stop.text);
  });

  test("an arm's calling window holds its chases: closed now, the chase waits for it and nobody is called", { timeout: 60_000 }, async () => {
    const c = await campaign(app.worker, app.tenantId, { name: 'Windows', channel: { policy: 'voice' }, scripts: SCRIPTS });
    // The day after tomorrow where the number lives (+1 415: Los Angeles), 10:00–11:00: within the 72 h expiry.
    const short = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', weekday: 'short' }).format(new Date());
    const today = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(short) + 1;
    const day = String(((today + 1) % 7) + 1);
    const window = { days: { [day]: [{ start: '10:00', end: '11:00' }] } };
    const created = await app.request('POST', '/v1/experiments', {
      body: {
        campaignId: c.id,
        name: 'Later',
        arms: [
          { name: 'control', window },
          { name: 'b', script: 'b', window },
        ],
      },
    });
    assert.equal(created.status, 201, created.text);
    const res = await app.request('POST', '/v1/chases', { body: { campaignId: c.id, contact: { phone: phone(300) } } });
    assert.equal(res.status, 201, res.text);
    const waiting = await waitForChase(app.worker, app.tenantId, res.body.id, (x) => x.timeline.filter((e) => e.type === 'scheduled').length >= 2);
    assert.equal(waiting.status, 'scheduled');
    assert.ok(Date.parse(waiting.dueAt) > Date.now() + 24 * 3_600_000, `due ${waiting.dueAt}, in the arm's window`);
    assert.equal(app.sim.calls().filter((x) => x.to === phone(300)).length, 0, 'not called outside the arm’s window');
  });

  test('the call activity written back to HubSpot names the experiment and the arm', { timeout: 60_000 }, async () => {
    const put = await app.request('PUT', '/v1/connectors/hubspot', { body: { credentials: { accessToken: hub.accessToken, apiBaseUrl: hub.url } } });
    assert.equal(put.status, 200, put.text);
    hub.seedContacts(1, () => ({ firstname: 'Ann', lastname: 'Lee', phone: phone(200) }));
    await syncConnector(app, 'hubspot');
    const c = await campaign(app.worker, app.tenantId, { name: 'Offers 2', channel: { policy: 'voice' }, scripts: SCRIPTS });
    const created = await app.request('POST', '/v1/experiments', {
      body: {
        campaignId: c.id,
        name: 'Shipping line',
        arms: [
          { name: 'control', script: 'a', weight: 1 },
          { name: 'free shipping', script: 'b', weight: 1 },
        ],
      },
    });
    assert.equal(created.status, 201, created.text);
    app.sim.setPersona(phone(200), { script: ['yes please send me the link'] });
    const externalId = hub.contacts()[0]!.id;
    const res = await app.request('POST', '/v1/chases', { body: { campaignId: c.id, contact: { crm: { system: 'hubspot', externalId } } } });
    assert.equal(res.status, 201, res.text);
    const arm = res.body.experiment.arm as string;
    await waitForChase(app.worker, app.tenantId, res.body.id);
    const call = await eventually(() => hub.calls().find((x) => x.properties.hs_call_to_number === phone(200)), 'the call engagement', 20_000);
    assert.match(call.properties.hs_call_body!, new RegExp(`Experiment: Shipping line — arm ${arm}`));
  });
});
