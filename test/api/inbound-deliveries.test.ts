/**
 * One inbound-delivery path, at the real HTTP server: from every vendor (Shopify, HubSpot,
 * Salesforce, Twilio's SMS, answer, transfer and answering-machine callbacks) the same delivery
 * sent again — one after another, or several at the same moment — is acted on once; a delivery
 * whose handling failed is acted on when the vendor sends it again; and a delivery seen again
 * after the retention (the reap job deletes deliveries older than 7 days) is new.
 *
 * Failures are injected in the database (a trigger that refuses the handling's write), the way
 * a real fault would surface: the handler answers 500 and the vendor retries.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testEngineApp } from '../support/app.ts';
import { eventually } from '../support/data.ts';
import { campaign, contact, mobile } from '../chases/support.ts';
import { loadSamples } from '../../sim/shopify/vendor.ts';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { twilioSignature } from '../../sim/twilio/index.ts';
import { startChase } from '../../core/chases/chases.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { DELIVERY_RETENTION_MS } from '../../core/inbound/deliveries.ts';
import { queues } from '../../core/jobs/queue.ts';
import { startWorker } from '../../core/jobs/worker.ts';

const SHOP = 'inbound-demo.myshopify.com';
const SHOP_SECRET = 'shpss_inbound0123456789';
const ORG = '00D5g000004WXYZEAZ';
const SF_KEY = 'inbound-key-0123456789';
const TIMES = 5;

// No worker: the jobs the webhooks queue stay in the queue, where they are counted.
let app: Awaited<ReturnType<typeof testEngineApp>>;
let hub: HubspotSim;
let sfCampaign: string;

before(async () => {
  hub = await startHubspotSim({ contactProperties: ['chaseline_do_not_call'] });
  app = await testEngineApp({ worker: false });
  for (const [type, credentials] of [
    ['shopify', { shop: SHOP, accessToken: 'shpat_inbound0123456789', apiSecret: SHOP_SECRET }],
    ['hubspot', { accessToken: hub.accessToken, apiBaseUrl: hub.url, clientSecret: hub.clientSecret, portalId: String(hub.portalId) }],
    [
      'salesforce',
      { auth: { accessToken: '00D5g000004WXYZ!AQ0123456789', instanceUrl: 'https://inbound.my.salesforce.com' }, orgId: ORG, inboundSecret: SF_KEY },
    ],
  ] as const) {
    const put = await app.request('PUT', `/v1/connectors/${type}`, { body: { credentials } });
    assert.equal(put.status, 200, put.text);
  }
  sfCampaign = (await campaign(app.worker, app.tenantId, { name: 'inbound from salesforce' })).id;
});
after(async () => {
  await app?.close();
  await hub?.close();
});

/** Runs `fn` while every insert into `table` fails, as a database fault would. */
async function whileFailing<T>(table: string, fn: () => Promise<T>): Promise<T> {
  await app.db.pool.query(
    `create or replace function inbound_test_fault() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`,
  );
  await app.db.pool.query(`create trigger inbound_test_fault before insert on ${table} for each row execute function inbound_test_fault()`);
  try {
    return await fn();
  } finally {
    await app.db.pool.query(`drop trigger inbound_test_fault on ${table}`);
  }
}

/** The same request sent once, again, then TIMES at once: every answer. */
async function repeated(send: () => Promise<Response>): Promise<number[]> {
  const statuses = [(await send()).status, (await send()).status];
  statuses.push(...(await Promise.all(Array.from({ length: TIMES }, send))).map((r) => r.status));
  return statuses;
}

const count = async (sql: string, params: unknown[]) => (await app.db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

describe('Shopify', () => {
  const samples = loadSamples();
  const deliver = (id: string, payload: unknown = { ...samples['orders/create'], checkout_token: `tok-${id}` }) => {
    const body = JSON.stringify(payload);
    return fetch(`${app.url}/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-shop-domain': SHOP,
        'x-shopify-webhook-id': id,
        'x-shopify-hmac-sha256': createHmac('sha256', SHOP_SECRET).update(body).digest('base64'),
      },
      body,
    });
  };
  const jobsFor = (id: string) => count(`select count(*)::int as n from pgboss.job where name = $1 and data ->> 'deliveryId' = $2`, [queues.commerceEvent, id]);

  test('a delivery sent again, one after another or at once, queues one job', async () => {
    const id = randomUUID();
    assert.deepEqual(await repeated(() => deliver(id)), Array(TIMES + 2).fill(200));
    assert.equal(await jobsFor(id), 1);
  });

  test('a delivery whose handling failed is a 500, and is acted on when Shopify sends it again', async () => {
    const id = randomUUID();
    assert.equal((await whileFailing('commerce_events', () => deliver(id))).status, 500);
    assert.equal(await jobsFor(id), 0);
    assert.equal((await deliver(id)).status, 200);
    assert.equal(await jobsFor(id), 1);
    assert.equal((await deliver(id)).status, 200);
    assert.equal(await jobsFor(id), 1);
  });
});

describe('HubSpot', () => {
  const target = () => `${app.url}/webhooks/hubspot`;
  const linked = async (externalId: string, phone: string) => {
    await upsertContact(app.worker, app.tenantId, { phone, crm: { system: 'hubspot', externalId } }, 'crm');
  };
  const doNotCall = (objectId: number) => ({
    subscriptionType: 'contact.propertyChange',
    objectId,
    propertyName: 'chaseline_do_not_call',
    propertyValue: 'true',
  });
  const optOutsOf = (phone: string) =>
    count(`select count(*)::int as n from consent_events where tenant_id = $1 and phone_hash = $2`, [app.tenantId, app.deps.pii.phoneIndex(phone)]);
  /** Of the webhook's log lines since `from`, the events acted on (not duplicates). */
  const actedOn = (from: number) =>
    app.logs
      .slice(from)
      .filter((l) => l.includes('"msg":"hubspot webhook"'))
      .map((l) => JSON.parse(l) as { events: number; duplicates: number })
      .reduce((n, l) => n + l.events - l.duplicates, 0);

  test('do-not-call sent again, one after another or at once, is one opt-out', async () => {
    const phone = mobile(4101);
    await linked('4101', phone);
    const from = app.logs.length;
    const delivery = await hub.sendWebhook([doNotCall(4101)], { targetUrl: target() });
    assert.equal(delivery.status, 200, delivery.body);
    // HubSpot's retry is the very same request, byte for byte.
    const again = () => fetch(target(), { method: 'POST', headers: delivery.headers, body: JSON.stringify(delivery.events) });
    assert.deepEqual(await repeated(again), Array(TIMES + 2).fill(200));
    assert.equal(await optOutsOf(phone), 1);
    assert.equal(actedOn(from), 1);
  });

  test('a delivery whose handling failed is a 500, and is acted on when HubSpot sends it again', async () => {
    const phone = mobile(4102);
    await linked('4102', phone);
    const failed = await whileFailing('consent_events', () => hub.sendWebhook([doNotCall(4102)], { targetUrl: target() }));
    assert.equal(failed.status, 500);
    assert.equal(await optOutsOf(phone), 0);
    const retry = await fetch(target(), { method: 'POST', headers: failed.headers, body: JSON.stringify(failed.events) });
    assert.equal(retry.status, 200);
    assert.equal(await optOutsOf(phone), 1);
    const opted = (await app.request('GET', `/v1/opt-outs?phone=${encodeURIComponent(phone)}`)).body.items as { channel: string; source: string }[];
    assert.deepEqual(
      opted.map((o) => [o.channel, o.source]),
      [['voice', 'crm']],
    );
  });
});

describe('Salesforce', () => {
  const message = (notificationId: string, recordId: string, phone: string) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${ORG}</OrganizationId><ActionId>04k5g000000KzvaAAC</ActionId>
<Notification><Id>${notificationId}</Id><sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${recordId}</sf:Id><sf:Phone>${phone}</sf:Phone></sObject></Notification>
</notifications></soapenv:Body></soapenv:Envelope>`;
  const post = (body: string) =>
    fetch(`${app.url}/webhooks/salesforce?campaign=${sfCampaign}&key=${SF_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body,
    });
  const chasesOf = (recordId: string) =>
    count(
      `select count(*)::int as n from chases ch join contact_crm_refs r on r.tenant_id = ch.tenant_id and r.contact_id = ch.contact_id where r.system = 'salesforce' and r.external_id = $1`,
      [recordId],
    );

  test('an Outbound Message sent again, one after another or at once, starts one chase', async () => {
    const body = message('04l5g00000C0hA1AAJ', '0035g00000InbAaAAB', mobile(4201));
    assert.deepEqual(await repeated(() => post(body)), Array(TIMES + 2).fill(200));
    assert.equal(await chasesOf('0035g00000InbAaAAB'), 1);
  });

  test('a notification whose handling failed is not acknowledged, and is acted on when Salesforce sends it again', async () => {
    const body = message('04l5g00000C0hA2AAJ', '0035g00000InbAbAAB', mobile(4202));
    assert.equal((await whileFailing('chases', () => post(body))).status, 500);
    assert.equal(await chasesOf('0035g00000InbAbAAB'), 0);
    const retry = await post(body);
    assert.equal(retry.status, 200);
    assert.match(await retry.text(), /<Ack>true<\/Ack>/);
    assert.equal(await chasesOf('0035g00000InbAbAAB'), 1);
  });
});

describe('Twilio', () => {
  function post(path: string, params: Record<string, string>) {
    const url = `${app.url}${path}`;
    return () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(app.sim.authToken, url, params) },
        body: new URLSearchParams(params),
      });
  }
  const callSid = () => `CA${randomBytes(16).toString('hex')}`;
  /** A call in progress for a new chase: its attempt id. */
  async function liveCall(phone: string): Promise<{ attemptId: string; sid: string }> {
    const c = await campaign(app.worker, app.tenantId);
    const chase = await startChase(app.worker, app.tenantId, { campaignId: c.id, contact: { id: await contact(app.worker, app.tenantId, phone) } });
    const attemptId = randomUUID();
    const sid = callSid();
    await app.db.pool.query(
      `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number, sid)
       select tenant_id, $2, id, campaign_id, phone_hash, 'voice', 'in-progress', '+14155550100', $3 from chases where id = $1`,
      [chase.id, attemptId, sid],
    );
    return { attemptId, sid };
  }
  const eventsOf = async (attemptId: string, type: string) =>
    count(`select count(*)::int as n from chase_events where attempt_id = $1 and type = $2`, [attemptId, type]);

  test('an inbound text sent again, one after another or at once, is handled once and answered the same', async () => {
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: app.sim.accountSid,
      From: mobile(4301),
      To: '+14155550123',
      Body: 'STOP',
      NumMedia: '0',
    };
    assert.deepEqual(await repeated(post('/webhooks/twilio/sms', params)), Array(TIMES + 2).fill(200));
    const seen = app.logs.filter((l) => l.includes(params.MessageSid)).map((l) => (JSON.parse(l) as { duplicate: boolean }).duplicate);
    assert.equal(seen.length, TIMES + 2);
    assert.equal(seen.filter((d) => !d).length, 1);
  });

  test('an answer sent again, one after another or at once, is on the timeline once', async () => {
    const call = await liveCall(mobile(4302));
    const answer = { CallSid: call.sid, AccountSid: app.sim.accountSid, SpeechResult: 'no thanks not interested', Confidence: '0.9' };
    assert.deepEqual(await repeated(post(`/webhooks/twilio/gather?attempt=${call.attemptId}&node=start&r=0&t=0`, answer)), Array(TIMES + 2).fill(200));
    assert.equal(await eventsOf(call.attemptId, 'intent'), 1);
  });

  test("a transfer's outcome sent again, one after another or at once, is on the timeline once", async () => {
    const call = await liveCall(mobile(4303));
    const dial = { CallSid: call.sid, AccountSid: app.sim.accountSid, DialCallStatus: 'completed', DialCallDuration: '30' };
    assert.deepEqual(await repeated(post(`/webhooks/twilio/dial?attempt=${call.attemptId}`, dial)), Array(TIMES + 2).fill(200));
    assert.equal(await eventsOf(call.attemptId, 'transferred'), 1);
  });

  test('a callback whose handling failed is a 500, and is acted on when Twilio sends it again', async () => {
    // A transfer's outcome (one transaction with its receipt) and an answer (one statement with it).
    const call = await liveCall(mobile(4305));
    const dial = post(`/webhooks/twilio/dial?attempt=${call.attemptId}`, {
      CallSid: call.sid,
      AccountSid: app.sim.accountSid,
      DialCallStatus: 'completed',
      DialCallDuration: '30',
    });
    const answer = post(`/webhooks/twilio/gather?attempt=${call.attemptId}&node=start&r=0&t=0`, {
      CallSid: call.sid,
      AccountSid: app.sim.accountSid,
      SpeechResult: 'no thanks not interested',
    });
    assert.deepEqual(await whileFailing('chase_events', async () => [(await dial()).status, (await answer()).status]), [500, 500]);
    assert.equal(await eventsOf(call.attemptId, 'transferred'), 0);
    assert.equal(await eventsOf(call.attemptId, 'intent'), 0);
    assert.deepEqual([(await dial()).status, (await answer()).status, (await dial()).status, (await answer()).status], [200, 200, 200, 200]);
    assert.equal(await eventsOf(call.attemptId, 'transferred'), 1);
    assert.equal(await eventsOf(call.attemptId, 'intent'), 1);
  });

  test('a machine verdict sent again, one after another or at once, queues one voicemail job', async () => {
    const call = await liveCall(mobile(4304));
    const amd = { CallSid: call.sid, AccountSid: app.sim.accountSid, AnsweredBy: 'machine_end_beep' };
    assert.deepEqual(await repeated(post(`/webhooks/twilio/amd?attempt=${call.attemptId}`, amd)), Array(TIMES + 2).fill(204));
    assert.equal(
      await count(`select count(*)::int as n from pgboss.job where name = $1 and data ->> 'attemptId' = $2`, [queues.callMachine, call.attemptId]),
      1,
    );
    // Recorded under the attempt's tenant.
    assert.equal(
      await count(`select count(*)::int as n from inbound_deliveries where tenant_id = $1 and delivery_id = $2`, [app.tenantId, `${call.sid}:amd`]),
      1,
    );
  });
});

describe('retention', () => {
  test('the reap job deletes deliveries past the retention; one sent again after that is acted on again', async () => {
    const samples = loadSamples();
    const id = randomUUID();
    const body = JSON.stringify({ ...samples['orders/paid'], checkout_token: `tok-${id}` });
    const deliver = () =>
      fetch(`${app.url}/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/paid',
          'x-shopify-shop-domain': SHOP,
          'x-shopify-webhook-id': id,
          'x-shopify-hmac-sha256': createHmac('sha256', SHOP_SECRET).update(body).digest('base64'),
        },
        body,
      });
    const jobs = () => count(`select count(*)::int as n from pgboss.job where name = $1 and data ->> 'deliveryId' = $2`, [queues.commerceEvent, id]);
    const remembered = () => count(`select count(*)::int as n from inbound_deliveries where delivery_id = $1`, [id]);
    assert.equal((await deliver()).status, 200);
    assert.equal((await deliver()).status, 200);
    assert.equal(await jobs(), 1);
    // A recent delivery outlives the reap; one past the retention does not.
    const recent = randomUUID();
    await app.db.pool.query(
      `insert into inbound_deliveries (tenant_id, source, delivery_id, received_at) values ($1, 'shopify', $2, now() - interval '6 days')`,
      [app.tenantId, recent],
    );
    await app.db.pool.query(`update inbound_deliveries set received_at = now() - make_interval(secs => $2::float8 / 1000) where delivery_id = $1`, [
      id,
      DELIVERY_RETENTION_MS + 60_000,
    ]);

    const worker = await startWorker(app.worker, app.boss, { schedule: false, idleMs: 20 });
    try {
      await app.boss.send(queues.reap, {});
      await eventually(async () => (await remembered()) === 0, 'the reap job to delete the old delivery', 20_000);
    } finally {
      await worker.stop();
    }
    assert.equal(await count(`select count(*)::int as n from inbound_deliveries where delivery_id = $1`, [recent]), 1);
    assert.equal((await deliver()).status, 200);
    assert.equal(await jobs(), 2, 'acted on again, as Shopify expects of a delivery this old');
    assert.equal((await deliver()).status, 200);
    assert.equal(await jobs(), 2);
  });
});
