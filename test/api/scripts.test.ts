// Script flags over the real HTTP server: chases of a script, and opt-outs (complaints) within
// 48 hours of their calls through the API, push its complaint rate's lower bound past 0.5% and
// the script is flagged once, with a script.flagged event; with autoPause the next chase gets the
// next matching script, and clearing the flag (operators, audited) brings it back. A script under
// the minimum sample, or with few complaints, is never flagged.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnE164 } from '../support/api.ts';
import { newCampaign, newKey, type KeyInfo } from '../support/data.ts';

let app: TestApp;
let viewer: KeyInfo;
let operator: KeyInfo;
let phoneSeq = 0;

before(async () => {
  app = await testApp({ engine: { worker: false } });
  viewer = await newKey(app, 'viewer');
  operator = await newKey(app, 'operator');
});
after(() => app?.close());

const SCRIPTS = [
  { name: 'Bold', when: { tags: ['cart'] }, say: 'Your cart is about to expire!', sms: 'Cart: {{context.link}}' },
  { name: 'Gentle', say: 'Hello, your cart is waiting.', sms: 'Cart: {{context.link}}' },
];

/** `n` chases of `script` in the campaign, each with a call placed an hour ago; returns their numbers. */
async function chases(campaignId: string, script: string, n: number): Promise<string[]> {
  const phones = Array.from({ length: n }, () => cnE164(50_000 + ++phoneSeq));
  const hashes = phones.map((p) => app.deps.pii.phoneIndex(p));
  const ids = phones.map(() => randomUUID());
  const at = new Date(Date.now() - 3_600_000);
  await app.db.pool.query(
    `insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, script, next_channel, due_at, deadline_at, created_at)
     select $1, id, $2, gen_random_uuid(), h, 'completed', $3, 'voice', $4, $4, $4 from unnest($5::uuid[], $6::bytea[]) as t (id, h)`,
    [app.tenantId, campaignId, script, at, ids, hashes],
  );
  await app.db.pool.query(
    `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, outcome, from_number, created_at)
     select $1, gen_random_uuid(), id, $2, h, 'voice', 'completed', 'refused', '+14155550100', $3 from unnest($4::uuid[], $5::bytea[]) as t (id, h)`,
    [app.tenantId, campaignId, at, ids, hashes],
  );
  return phones;
}

/** The people at these numbers text STOP (or ask through the CRM): opt-outs through the API. */
async function optOut(phones: string[]) {
  for (const phone of phones) {
    const res = await app.request('POST', '/v1/opt-outs', { key: operator.key, body: { phone, channel: 'sms' } });
    assert.equal(res.status, 201, res.text);
  }
}

const scripts = async (campaignId: string) => {
  const res = await app.request('GET', `/v1/scripts?campaignId=${campaignId}`, { key: viewer.key });
  assert.equal(res.status, 200, res.text);
  return new Map<
    string,
    {
      chases: number;
      complaints: number;
      complaintRate: number;
      complaintRateLower: number;
      flagged: { at: string; reason: string } | null;
      paused: boolean;
      campaignName: string;
    }
  >(res.body.items.map((i: { script: string }) => [i.script, i]));
};

const flaggedEvents = async (campaignId: string) =>
  (
    await app.db.pool.query<{ data: Record<string, unknown> }>(`select data from events where type = 'script.flagged' and data ->> 'campaignId' = $1`, [
      campaignId,
    ])
  ).rows.map((r) => r.data);

/** Starts a chase for a new contact with these tags; returns the API's answer. */
async function startFor(campaignId: string, tags: string[]) {
  const contact = await app.request('POST', '/v1/contacts', { key: operator.key, body: { name: 'Ann', phone: cnE164(90_000 + ++phoneSeq), tags } });
  assert.ok(contact.status < 300, contact.text);
  return app.request('POST', '/v1/chases', { key: operator.key, body: { campaignId, contact: { id: contact.body.id } } });
}

describe('a script past 0.5% complaints', () => {
  test('is flagged once with an event; with autoPause the next matching script serves until the flag is cleared', { timeout: 60_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Carts', scripts: SCRIPTS });
    assert.deepEqual(campaign.scriptFlags, { autoPause: false, minChases: 200, maxComplaintRate: 0.005 });
    const bold = await chases(campaign.id, 'Bold', 200);
    await chases(campaign.id, 'Gentle', 200);

    // Two complaints in 200: 1%, but its lower bound (0.33%) could be chance.
    await optOut(bold.slice(0, 2));
    let seen = await scripts(campaign.id);
    assert.equal(seen.get('Bold')!.complaints, 2);
    assert.equal(seen.get('Bold')!.flagged, null);
    // The third: 1.5%, lower bound 0.60% > 0.5%.
    await optOut(bold.slice(2, 3));
    seen = await scripts(campaign.id);
    const flagged = seen.get('Bold')!;
    assert.equal(flagged.chases, 200);
    assert.equal(flagged.complaints, 3);
    assert.equal(flagged.complaintRate, 0.015);
    assert.ok(flagged.complaintRateLower > 0.005 && flagged.complaintRateLower < 0.015, String(flagged.complaintRateLower));
    assert.match(flagged.flagged?.reason ?? '', /3 complaints in 200 chases/);
    assert.equal(flagged.paused, false, 'without autoPause a flag only tells');
    assert.equal(seen.get('Gentle')!.flagged, null);
    assert.equal(seen.get('Gentle')!.complaints, 0);
    assert.equal(flagged.campaignName, 'Carts');

    // More complaints do not flag it again.
    await optOut(bold.slice(3, 6));
    const events = await flaggedEvents(campaign.id);
    assert.equal(events.length, 1);
    assert.deepEqual(
      { ...events[0], rate: undefined, lower: undefined },
      {
        campaignId: campaign.id,
        script: 'Bold',
        complaints: 3,
        chases: 200,
        rate: undefined,
        lower: undefined,
        threshold: 0.005,
      },
    );
    assert.equal(events[0]!.rate, 0.015);
    assert.ok(Math.abs((events[0]!.lower as number) - flagged.complaintRateLower) < 1e-9);
    assert.equal((await scripts(campaign.id)).get('Bold')!.complaints, 6);

    // Without autoPause the flagged script is still chosen.
    const before = await startFor(campaign.id, ['cart']);
    assert.equal(before.body.script, 'Bold', before.text);

    const patched = await app.request('PATCH', `/v1/campaigns/${campaign.id}`, { key: operator.key, body: { scriptFlags: { autoPause: true } } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.scriptFlags.autoPause, true);
    assert.equal((await scripts(campaign.id)).get('Bold')!.paused, true);
    const paused = await startFor(campaign.id, ['cart']);
    assert.equal(paused.status, 201, paused.text);
    assert.equal(paused.body.script, 'Gentle', 'the next matching script serves');

    // Clearing: viewers may not; an operator may, and it is audited.
    assertProblem(
      await app.request('POST', '/v1/scripts/clear-flag', { key: viewer.key, body: { campaignId: campaign.id, script: 'Bold' } }),
      403,
      'FORBIDDEN',
    );
    const cleared = await app.request('POST', '/v1/scripts/clear-flag', { key: operator.key, body: { campaignId: campaign.id, script: 'Bold' } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.flagged, null);
    assert.equal(cleared.body.paused, false);
    assert.equal(cleared.body.complaints, 0, 'counted afresh from the clear');
    const audit = await app.db.pool.query(`select details from audit_log where action = 'script.clear-flag'`);
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].details.script, 'Bold');
    assert.match(audit.rows[0].details.reason, /complaints in 200 chases/);
    const back = await startFor(campaign.id, ['cart']);
    assert.equal(back.body.script, 'Bold', 'cleared, the script is chosen again');
    // Clearing again changes nothing and audits nothing.
    const again = await app.request('POST', '/v1/scripts/clear-flag', { key: operator.key, body: { campaignId: campaign.id, script: 'Bold' } });
    assert.equal(again.status, 200, again.text);
    assert.equal((await app.db.pool.query(`select 1 from audit_log where action = 'script.clear-flag'`)).rowCount, 1);
  });

  test('a paused catch-all is not replaced: the contact is not chased, and says why', { timeout: 60_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Only one', scripts: SCRIPTS, scriptFlags: { autoPause: true, minChases: 100 } });
    const gentle = await chases(campaign.id, 'Gentle', 100);
    await optOut(gentle.slice(0, 4));
    assert.equal((await scripts(campaign.id)).get('Gentle')!.paused, true);
    const refused = await startFor(campaign.id, ['other']);
    assertProblem(refused, 409, 'CONFLICT', 'contact');
    assert.match(refused.body.detail ?? refused.body.title, /paused for complaints/);
    // A contact another script matches is still chased.
    assert.equal((await startFor(campaign.id, ['cart'])).body.script, 'Bold');
  });
});

describe('no flag', () => {
  test('below the minimum sample, however high the rate', { timeout: 60_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Small', scripts: SCRIPTS });
    const bold = await chases(campaign.id, 'Bold', 150);
    await optOut(bold.slice(0, 10));
    const s = (await scripts(campaign.id)).get('Bold')!;
    assert.equal(s.complaints, 10);
    assert.ok(s.complaintRateLower > 0.03, 'a high rate');
    assert.equal(s.flagged, null);
    assert.deepEqual(await flaggedEvents(campaign.id), []);
  });

  test('a script with few complaints is never flagged', { timeout: 60_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Calm', scripts: SCRIPTS });
    const gentle = await chases(campaign.id, 'Gentle', 400);
    await optOut(gentle.slice(0, 2));
    const s = (await scripts(campaign.id)).get('Gentle')!;
    assert.equal(s.complaints, 2);
    assert.equal(s.complaintRate, 0.005);
    assert.ok(s.complaintRateLower < 0.005);
    assert.equal(s.flagged, null);
    assert.deepEqual(await flaggedEvents(campaign.id), []);
  });
});

describe('bad input', () => {
  test('an unknown campaign or script is a 404 naming it; a malformed id a 400', { timeout: 30_000 }, async () => {
    const campaign = await newCampaign(app, { name: 'Named', scripts: SCRIPTS });
    assertProblem(await app.request('GET', `/v1/scripts?campaignId=${randomUUID()}`, { key: viewer.key }), 404, 'NOT_FOUND', 'campaignId');
    assertProblem(await app.request('GET', '/v1/scripts?campaignId=nope', { key: viewer.key }), 400, 'VALIDATION', 'campaignId');
    const clear = (body: unknown) => app.request('POST', '/v1/scripts/clear-flag', { key: operator.key, body });
    assertProblem(await clear({ campaignId: randomUUID(), script: 'Bold' }), 404, 'NOT_FOUND', 'campaignId');
    assertProblem(await clear({ campaignId: campaign.id, script: 'Nope' }), 404, 'NOT_FOUND', 'script');
    assertProblem(await clear({ campaignId: campaign.id }), 400, 'VALIDATION', 'script');
    assertProblem(
      await app.request('POST', '/v1/campaigns', { key: operator.key, body: { ...SCRIPT_CAMPAIGN, scriptFlags: { maxComplaintRate: 2 } } }),
      400,
      'VALIDATION',
      'scriptFlags.maxComplaintRate',
    );
    const all = await app.request('GET', '/v1/scripts', { key: viewer.key });
    assert.ok(all.body.items.some((i: { campaignId: string }) => i.campaignId === campaign.id));
  });
});

const SCRIPT_CAMPAIGN = {
  name: 'Bad',
  channel: { policy: 'voice' },
  scripts: SCRIPTS,
  lines: [{ from: '+14155550100' }],
};
