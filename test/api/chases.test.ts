// Chases over the real HTTP server with the engine running (pg-boss, a worker, the Twilio
// simulator): starting one is refused with its reason when the number cannot or must not be
// called; a retry with the same Idempotency-Key starts nothing new; the timeline says what
// happened; bulk starts account for every segment member; a segment refresh starts
// segment-entry campaigns for the contacts that entered.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnE164, cnMobile, trpcMutation, trpcQuery } from '../support/api.ts';
import { ALL_DAY, eventually, listAll, newCampaign, newKey, newTenant, type KeyInfo } from '../support/data.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';

let app: TestApp;
let sim: TwilioSim;
let operator: KeyInfo;
let viewer: KeyInfo;
/** Chases of this campaign wait an hour before the first call, so they stay `scheduled` while we look. */
let later: { id: string };

before(async () => {
  app = await testApp({ engine: { sim: { clockSpeed: 50, callsPerSecond: 100 } } });
  sim = app.sim!;
  operator = await newKey(app, 'operator');
  viewer = await newKey(app, 'viewer');
  later = await newCampaign(app, { name: 'Later', rules: { window: ALL_DAY, delayMinutes: 60 } });
});
after(() => app?.close());

const start = (body: unknown, options: { key?: string; headers?: Record<string, string> } = {}) =>
  app.request('POST', '/v1/chases', { key: options.key ?? operator.key, body, headers: options.headers });
const types = (chase: { timeline: { type: string }[] }) => chase.timeline.map((e) => e.type);

async function newContact(n: number, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await app.request('POST', '/v1/contacts', { body: { name: `C${n}`, phone: cnMobile(n), ...extra } });
  assert.ok(res.status === 201 || res.status === 200, res.text);
  return res.body.id;
}

/** A contact whose stored number cannot be dialled: only a CRM sync may store one. */
async function undiallableContact(externalId: string, attributes: Record<string, unknown> = {}): Promise<string> {
  const { contact } = await upsertContact(
    app.deps,
    app.tenantId,
    { name: 'Bad number', phone: '12', crm: { system: 'hubspot', externalId }, attributes },
    'crm',
  );
  assert.equal(contact.phoneValid, false);
  return contact.id;
}

describe('starting one chase', () => {
  test('201 with the chase, its timeline starting created → scheduled, and no attempt yet', async () => {
    const contactId = await newContact(5001);
    const res = await start({ campaignId: later.id, contact: { id: contactId }, context: { link: 'https://shop.example/r/1' } });
    assert.equal(res.status, 201, res.text);
    const chase = res.body;
    assert.equal(chase.status, 'scheduled');
    assert.equal(chase.campaignId, later.id);
    assert.equal(chase.contactId, contactId);
    assert.equal(chase.nextChannel, 'voice');
    assert.deepEqual(chase.context, { link: 'https://shop.example/r/1' });
    assert.deepEqual(types(chase), ['created', 'scheduled']);
    assert.deepEqual(chase.attempts, []);
    const due = Date.parse(chase.dueAt) - Date.parse(chase.createdAt);
    assert.ok(due > 59 * 60_000 && due < 61 * 60_000, `due an hour after creation, got ${due} ms`);

    const got = await app.request('GET', `/v1/chases/${chase.id}`, { key: viewer.key });
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.body, chase);
    assert.deepEqual((await trpcQuery(app, 'chases.get', { id: chase.id }, viewer.key)).body.result.data, chase, 'tRPC answers the same');
  });

  test('by phone (a new number becomes a contact) and by CRM reference', async () => {
    const byPhone = await start({ campaignId: later.id, contact: { phone: cnMobile(5002) } });
    assert.equal(byPhone.status, 201, byPhone.text);
    const contact = await app.request('GET', `/v1/contacts/${byPhone.body.contactId}`);
    assert.equal(contact.body.phone, cnE164(5002));

    await newContact(5003, { crm: { system: 'salesforce', externalId: '003XYZ' } });
    const byCrm = await start({ campaignId: later.id, contact: { crm: { system: 'salesforce', externalId: '003XYZ' } } });
    assert.equal(byCrm.status, 201, byCrm.text);
    assertProblem(await start({ campaignId: later.id, contact: { crm: { system: 'salesforce', externalId: 'nope' } } }), 404, 'NOT_FOUND', 'contact.crm');
  });

  test('a CRM record not synced yet, sent with its phone and name, becomes a contact linked with the record', async () => {
    const ref = { system: 'hubspot', externalId: '9011' };
    const first = await start({ campaignId: later.id, contact: { crm: ref, phone: cnMobile(5004), name: 'Lin' } });
    assert.equal(first.status, 201, first.text);
    const contact = await app.request('GET', `/v1/contacts/${first.body.contactId}`);
    assert.equal(contact.body.phone, cnE164(5004));
    assert.equal(contact.body.name, 'Lin');
    assert.deepEqual(contact.body.crm, [ref]);
    // Known now: the same record (sent with another number) is the same contact, whose synced details win.
    const second = await newCampaign(app, { name: 'Second look', rules: { window: ALL_DAY, delayMinutes: 60 } });
    const again = await start({ campaignId: second.id, contact: { crm: ref, phone: cnMobile(5005) } });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.contactId, first.body.contactId);
    assert.equal((await app.request('GET', `/v1/contacts/${first.body.contactId}`)).body.phone, cnE164(5004));
    assertProblem(
      await start({ campaignId: later.id, contact: { crm: { system: 'hubspot', externalId: '9012' }, phone: 'not a number' } }),
      400,
      'VALIDATION',
      'contact.phone',
    );
  });

  test('an opted-out number is 409 with the reason, and nothing is started', async () => {
    await newContact(5010);
    assert.equal((await app.request('POST', '/v1/opt-outs', { body: { phone: cnMobile(5010), channel: 'all' } })).status, 201);
    const res = await start({ campaignId: later.id, contact: { phone: cnMobile(5010) } });
    assertProblem(res, 409, 'CONFLICT', 'contact');
    assert.equal(res.body.reason, 'opted-out');
    assert.match(res.body.detail, /opted out/);
    const contactId = (await app.request('GET', `/v1/contacts?phone=${cnMobile(5010)}`)).body.items[0].id;
    assert.deepEqual((await app.request('GET', `/v1/chases?contactId=${contactId}`)).body.items, []);
  });

  test('opted out of voice only: voice-then-SMS still starts, going straight to the SMS', async () => {
    await newContact(5011);
    assert.equal((await app.request('POST', '/v1/opt-outs', { body: { phone: cnMobile(5011), channel: 'voice' } })).status, 201);
    const res = await start({ campaignId: later.id, contact: { phone: cnMobile(5011) } });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.nextChannel, 'sms');
    const voiceOnly = await newCampaign(app, { channel: { policy: 'voice' }, scripts: [{ name: 'default', say: 'Hi' }] });
    const refused = await start({ campaignId: voiceOnly.id, contact: { phone: cnMobile(5011) } });
    assertProblem(refused, 409, 'CONFLICT', 'contact');
    assert.equal(refused.body.reason, 'opted-out');
  });

  test('a contact whose number cannot be dialled is 400; so is a number that is not one', async () => {
    await undiallableContact('hs-bad-1');
    const res = await start({ campaignId: later.id, contact: { crm: { system: 'hubspot', externalId: 'hs-bad-1' } } });
    assertProblem(res, 400, 'VALIDATION', 'contact');
    assertProblem(await start({ campaignId: later.id, contact: { phone: 'not a number' } }), 400, 'VALIDATION', 'contact.phone');
  });

  test('malformed requests are 400 at the offending field', async () => {
    assertProblem(await start({ campaignId: later.id, contact: {} }), 400, 'VALIDATION', 'contact');
    assertProblem(await start({ campaignId: later.id, contact: { id: 'x' } }), 400, 'VALIDATION', 'contact.id');
    assertProblem(await start({ campaignId: later.id, contact: { id: later.id, phone: cnMobile(5020) } }), 400, 'VALIDATION', 'contact');
    assertProblem(await start({ campaignId: 'nope', contact: { phone: cnMobile(5020) } }), 400, 'VALIDATION', 'campaignId');
    assertProblem(await start({ contact: { phone: cnMobile(5020) } }), 400, 'VALIDATION', 'campaignId');
  });

  test('an unknown campaign, or contact, is 404', async () => {
    const contactId = await newContact(5021);
    const unknown = '00000000-0000-4000-8000-000000000000';
    assertProblem(await start({ campaignId: unknown, contact: { id: contactId } }), 404, 'NOT_FOUND', 'campaignId');
    assertProblem(await start({ campaignId: later.id, contact: { id: unknown } }), 404, 'NOT_FOUND', 'contact.id');
  });

  test('the same Idempotency-Key twice starts one chase and replays the first answer', async () => {
    const contactId = await newContact(5030);
    const headers = { 'idempotency-key': 'chase-5030' };
    const body = { campaignId: later.id, contact: { id: contactId } };
    const first = await start(body, { headers });
    const second = await start(body, { headers });
    assert.equal(first.status, 201, first.text);
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const list = await app.request('GET', `/v1/chases?contactId=${contactId}`);
    assert.deepEqual(
      list.body.items.map((c: { id: string }) => c.id),
      [first.body.id],
    );
    // The same key over tRPC replays too.
    const viaTrpc = await trpcMutation(app, 'chases.start', body, { key: operator.key, headers });
    assert.equal(viaTrpc.body.result?.data?.id, first.body.id, JSON.stringify(viaTrpc.body));
  });

  test('a second start while the contact has a live chase in the campaign is 409, naming that chase', async () => {
    const contactId = await newContact(5031);
    const first = await start({ campaignId: later.id, contact: { id: contactId } });
    assert.equal(first.status, 201, first.text);
    const second = await start({ campaignId: later.id, contact: { id: contactId } });
    assertProblem(second, 409, 'CONFLICT', 'contact');
    assert.equal(second.body.chaseId, first.body.id);
    // Another campaign may chase the same contact.
    const other = await newCampaign(app, { name: 'Other', rules: { window: ALL_DAY, delayMinutes: 60 } });
    assert.equal((await start({ campaignId: other.id, contact: { id: contactId } })).status, 201);
  });

  test('a viewer cannot start or cancel a chase; another tenant gets 404', async () => {
    const contactId = await newContact(5040);
    assertProblem(await start({ campaignId: later.id, contact: { id: contactId } }, { key: viewer.key }), 403, 'FORBIDDEN');
    const chase = (await start({ campaignId: later.id, contact: { id: contactId } })).body;
    assertProblem(await app.request('POST', `/v1/chases/${chase.id}/cancel`, { key: viewer.key }), 403, 'FORBIDDEN');

    const other = await newTenant(app, 'Not yours');
    assertProblem(await app.request('GET', `/v1/chases/${chase.id}`, { key: other.key }), 404, 'NOT_FOUND', 'id');
    assertProblem(await app.request('POST', `/v1/chases/${chase.id}/cancel`, { key: other.key }), 404, 'NOT_FOUND', 'id');
    assertProblem(await start({ campaignId: later.id, contact: { phone: cnMobile(5040) } }, { key: other.key }), 404, 'NOT_FOUND', 'campaignId');
    assert.deepEqual((await app.request('GET', '/v1/chases', { key: other.key })).body.items, []);
    assert.equal((await app.request('GET', `/v1/chases/${chase.id}`)).body.status, 'scheduled', 'untouched');
  });
});

describe('a chase through the carrier simulator', () => {
  test('an answered call completes the chase: the timeline and the attempt say so, and list filters by status', async () => {
    const campaign = await newCampaign(app, { name: 'Now' });
    const res = await start({ campaignId: campaign.id, contact: { phone: cnMobile(5101) } });
    assert.equal(res.status, 201, res.text);
    const done = await eventually(async () => {
      const c = (await app.request('GET', `/v1/chases/${res.body.id}`)).body;
      return c.status === 'completed' ? c : null;
    }, 'the chase to complete');
    assert.equal(done.outcome, 'answered');
    assert.deepEqual(types(done).slice(0, 2), ['created', 'scheduled']);
    assert.equal(types(done).at(-1), 'completed');
    assert.ok(types(done).includes('answered'), types(done).join());
    assert.equal(done.attempts.length, 1);
    const call = sim.calls().find((c) => c.to === cnE164(5101));
    assert.ok(call, 'the simulator was called');
    assert.equal(done.attempts[0].sid, call.sid);
    assert.equal(done.attempts[0].from, '+14155550100');

    // A second chase in the same campaign, started after its first call was put off by an hour, tells the filters apart.
    const patched = await app.request('PATCH', `/v1/campaigns/${campaign.id}`, { body: { rules: { window: ALL_DAY, delayMinutes: 60 } } });
    assert.equal(patched.status, 200, patched.text);
    const waiting = await start({ campaignId: campaign.id, contact: { phone: cnMobile(5102) } });
    assert.equal(waiting.body.status, 'scheduled');
    const completed = await app.request('GET', `/v1/chases?campaignId=${campaign.id}&status=completed`);
    assert.deepEqual(
      completed.body.items.map((c: { id: string }) => c.id),
      [done.id],
    );
    assert.equal(completed.body.items[0].timeline, undefined, 'lists carry chases, not timelines');
    const all = await app.request('GET', `/v1/chases?campaignId=${campaign.id}`);
    assert.deepEqual(all.body.items.map((c: { id: string }) => c.id).sort(), [done.id, waiting.body.id].sort());
    assertProblem(await app.request('GET', '/v1/chases?status=finished'), 400, 'VALIDATION', 'status');
  });
});

describe('listing and cancelling', () => {
  test('list filters by campaign, status and contact, and pages with a cursor', async () => {
    const t = await newTenant(app, 'Lists');
    const a = await newCampaign(app, { name: 'A', rules: { window: ALL_DAY, delayMinutes: 60 } }, t.key);
    const b = await newCampaign(app, { name: 'B', rules: { window: ALL_DAY, delayMinutes: 60 } }, t.key);
    const started: Record<string, string[]> = { [a.id]: [], [b.id]: [] };
    for (const [i, campaignId] of [a.id, a.id, a.id, b.id].entries()) {
      const res = await start({ campaignId, contact: { phone: cnMobile(5200 + i) } }, { key: t.key });
      assert.equal(res.status, 201, res.text);
      started[campaignId]!.push(res.body.id);
    }
    const canceled = started[a.id]![0]!;
    assert.equal((await app.request('POST', `/v1/chases/${canceled}/cancel`, { key: t.key })).status, 200);

    const ids = async (query: string) => (await listAll<{ id: string }>(app, `/v1/chases?${query}`, { key: t.key, limit: 1 })).items.map((c) => c.id).sort();
    assert.deepEqual(await ids(`campaignId=${a.id}`), [...started[a.id]!].sort());
    assert.deepEqual(await ids(`campaignId=${b.id}`), started[b.id]);
    assert.deepEqual(await ids(`campaignId=${a.id}&status=scheduled`), started[a.id]!.slice(1).sort());
    assert.deepEqual(await ids(`status=canceled`), [canceled]);
    const { pages } = await listAll(app, '/v1/chases', { key: t.key, limit: 1 });
    assert.equal(pages, 4);
    const contactId = (await app.request('GET', `/v1/chases/${started[b.id]![0]}`, { key: t.key })).body.contactId;
    assert.deepEqual(await ids(`contactId=${contactId}`), started[b.id]);
  });

  test('cancel ends the chase as canceled with a canceled event; again is harmless; an ended chase is 409', async () => {
    const chase = (await start({ campaignId: later.id, contact: { phone: cnMobile(5300) } })).body;
    const res = await app.request('POST', `/v1/chases/${chase.id}/cancel`, { key: operator.key });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'canceled');
    assert.deepEqual(types(res.body), ['created', 'scheduled', 'canceled']);
    const again = await app.request('POST', `/v1/chases/${chase.id}/cancel`, { key: operator.key });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(types(again.body), ['created', 'scheduled', 'canceled'], 'no second event');
    // The contact is free for a new chase in the campaign.
    assert.equal((await start({ campaignId: later.id, contact: { id: chase.contactId } })).status, 201);

    const quick = await newCampaign(app, { name: 'Quick' });
    const completed = (await start({ campaignId: quick.id, contact: { phone: cnMobile(5301) } })).body;
    await eventually(async () => (await app.request('GET', `/v1/chases/${completed.id}`)).body.status === 'completed', 'the chase to complete');
    assertProblem(await app.request('POST', `/v1/chases/${completed.id}/cancel`, { key: operator.key }), 409, 'CONFLICT');
  });
});

describe('starting in bulk by segment', () => {
  let segmentId: string;
  let members: number;

  before(async () => {
    // Gold: 4 dialable, 1 opted out, 1 undiallable, 1 already chased; silver: 2.
    for (const n of [1, 2, 3, 4, 5, 6]) await newContact(5400 + n, { attributes: { plan: 'gold' } });
    await undiallableContact('hs-gold-bad', { plan: 'gold' });
    for (const n of [7, 8]) await newContact(5400 + n, { attributes: { plan: 'silver' } });
    await newContact(5409, { attributes: { plan: 'none' } });
    assert.equal((await app.request('POST', '/v1/opt-outs', { body: { phone: cnMobile(5405), channel: 'all' } })).status, 201);
    const seg = await app.request('POST', '/v1/segments', {
      body: {
        name: 'Plans',
        definition: {
          kind: 'rules',
          tiers: [
            { name: 'gold', when: { attribute: 'plan', op: 'eq', value: 'gold' } },
            { name: 'silver', when: { attribute: 'plan', op: 'eq', value: 'silver' } },
          ],
        },
      },
    });
    assert.equal(seg.status, 201, seg.text);
    segmentId = seg.body.id;
    const refreshed = await app.request('POST', `/v1/segments/${segmentId}/refresh`);
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.deepEqual(refreshed.body.counts, { gold: 7, silver: 2 });
    members = refreshed.body.total;
  });

  test('created + skipped adds up to the members, with each skip counted under its reason', async () => {
    const campaign = await newCampaign(app, { name: 'Bulk', segmentId, rules: { window: ALL_DAY, delayMinutes: 60 } });
    const live = await start({ campaignId: campaign.id, contact: { phone: cnMobile(5406) } });
    assert.equal(live.status, 201, live.text);

    const res = await app.request('POST', '/v1/chases/bulk', { key: operator.key, body: { campaignId: campaign.id } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { created: 6, skipped: { alreadyLive: 1, optedOut: 1, invalidNumber: 1, scriptPaused: 0 } });
    const { created, skipped } = res.body;
    assert.equal(created + skipped.alreadyLive + skipped.optedOut + skipped.invalidNumber, members);
    const chases = await listAll<{ tier: string }>(app, `/v1/chases?campaignId=${campaign.id}`);
    assert.equal(chases.items.length, 7, 'six new and the one already live');
    assert.deepEqual(chases.items.map((c) => c.tier).sort(), ['gold', 'gold', 'gold', 'gold', 'gold', 'silver', 'silver']);

    // Again: everyone dialable already has a live chase.
    const again = await app.request('POST', '/v1/chases/bulk', { key: operator.key, body: { campaignId: campaign.id } });
    assert.deepEqual(again.body, { created: 0, skipped: { alreadyLive: 7, optedOut: 1, invalidNumber: 1, scriptPaused: 0 } });
  });

  test('only the tiers asked for; the segment may be named in the request', async () => {
    const campaign = await newCampaign(app, { name: 'Silver only', rules: { window: ALL_DAY, delayMinutes: 60 } });
    const noSegment = await app.request('POST', '/v1/chases/bulk', { key: operator.key, body: { campaignId: campaign.id } });
    assertProblem(noSegment, 400, 'VALIDATION', 'segmentId');
    const res = await app.request('POST', '/v1/chases/bulk', { key: operator.key, body: { campaignId: campaign.id, segmentId, tiers: ['silver'] } });
    assert.deepEqual(res.body, { created: 2, skipped: { alreadyLive: 0, optedOut: 0, invalidNumber: 0, scriptPaused: 0 } });
    const unknown = '00000000-0000-4000-8000-000000000000';
    assertProblem(
      await app.request('POST', '/v1/chases/bulk', { key: operator.key, body: { campaignId: campaign.id, segmentId: unknown } }),
      404,
      'NOT_FOUND',
      'segmentId',
    );
    assertProblem(
      await app.request('POST', '/v1/chases/bulk', { key: operator.key, body: { campaignId: unknown, segmentId } }),
      404,
      'NOT_FOUND',
      'campaignId',
    );
    assertProblem(await app.request('POST', '/v1/chases/bulk', { key: viewer.key, body: { campaignId: campaign.id, segmentId } }), 403, 'FORBIDDEN');
  });

  test('the same Idempotency-Key replays the counts instead of starting again', async () => {
    const campaign = await newCampaign(app, { name: 'Bulk once', segmentId, rules: { window: ALL_DAY, delayMinutes: 60 } });
    const headers = { 'idempotency-key': 'bulk-once' };
    const body = { campaignId: campaign.id, tiers: ['silver'] };
    const first = await app.request('POST', '/v1/chases/bulk', { key: operator.key, body, headers });
    const second = await app.request('POST', '/v1/chases/bulk', { key: operator.key, body, headers });
    assert.deepEqual(first.body, { created: 2, skipped: { alreadyLive: 0, optedOut: 0, invalidNumber: 0, scriptPaused: 0 } });
    assert.deepEqual(second.body, first.body, 'the first answer, not "2 already live"');
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
  });

  test('a segment refresh starts a segment-entry campaign for contacts that entered, not for those already in', async () => {
    const trigger = { type: 'segment-entry', segmentId, tiers: ['silver'] };
    const campaign = await newCampaign(app, { name: 'On entry', trigger, rules: { window: ALL_DAY, delayMinutes: 60 } });
    const newcomer = await newContact(5420, { attributes: { plan: 'silver' } });
    const goldNewcomer = await newContact(5421, { attributes: { plan: 'gold' } });
    const refreshed = await app.request('POST', `/v1/segments/${segmentId}/refresh`, { key: operator.key });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.body.counts.silver, 3);
    const chases = await listAll<{ contactId: string; tier: string }>(app, `/v1/chases?campaignId=${campaign.id}`);
    assert.deepEqual(
      chases.items.map((c) => c.contactId),
      [newcomer],
      'only the silver newcomer',
    );
    assert.equal(chases.items[0]!.tier, 'silver');
    assert.ok(goldNewcomer);
    // Refreshing again starts nothing more.
    await app.request('POST', `/v1/segments/${segmentId}/refresh`, { key: operator.key });
    assert.equal((await listAll(app, `/v1/chases?campaignId=${campaign.id}`)).items.length, 1);
  });

  test('includeExisting: the members already in are chased at creation, and only once', async () => {
    const trigger = { type: 'segment-entry', segmentId, tiers: ['silver'], includeExisting: true };
    const campaign = await newCampaign(app, { name: 'Everyone in', trigger, rules: { window: ALL_DAY, delayMinutes: 60 } });
    const atCreation = await listAll<{ tier: string }>(app, `/v1/chases?campaignId=${campaign.id}`);
    assert.deepEqual(
      atCreation.items.map((c) => c.tier),
      ['silver', 'silver', 'silver'],
    );
    for (let i = 0; i < 2; i++) assert.equal((await app.request('POST', `/v1/segments/${segmentId}/refresh`, { key: operator.key })).status, 200);
    const chases = await listAll<{ tier: string }>(app, `/v1/chases?campaignId=${campaign.id}`);
    assert.deepEqual(
      chases.items.map((c) => c.tier),
      ['silver', 'silver', 'silver'],
    );
  });

  test('a campaign switched to segment-entry by PATCH chases only contacts entering from then on', async () => {
    const campaign = await newCampaign(app, { name: 'Switched', rules: { window: ALL_DAY, delayMinutes: 60 } });
    const trigger = { type: 'segment-entry', segmentId, tiers: ['gold'] };
    const patched = await app.request('PATCH', `/v1/campaigns/${campaign.id}`, { key: operator.key, body: { trigger } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.trigger.includeExisting, false);
    await app.request('POST', `/v1/segments/${segmentId}/refresh`, { key: operator.key });
    const chases = await listAll(app, `/v1/chases?campaignId=${campaign.id}`);
    assert.equal(chases.items.length, 0, 'the gold members were already in the segment');
  });
});
