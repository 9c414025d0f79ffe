/**
 * The abandoned-cart story at the real HTTP server: a shop's signed webhooks (the vendor's
 * sample payloads) start a chase keyed on the checkout's token, an order ends it — before
 * the call it cancels it; after a contact the order's total is revenue the chase recovered.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadSamples, type Topic } from '../../sim/shopify/vendor.ts';
import { testEngineApp, type TestApp } from '../support/app.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { getChase } from '../../core/chases/chases.ts';
import { setCampaignStatus } from '../../core/campaigns/campaigns.ts';
import { campaign, mobile, waitForChase } from './support.ts';
import { eventually } from '../support/data.ts';

const SHOP = 'demo.myshopify.com';
const SECRET = 'shpss_0123456789abcdef';
const samples = loadSamples();
const sample = (topic: string) => samples[topic.replace('_', '/') as Topic];

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };

before(async () => {
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100 } });
  const put = await app.request('PUT', '/v1/connectors/shopify', {
    body: { credentials: { shop: SHOP, accessToken: 'shpat_0123456789abcdef', apiSecret: SECRET } },
  });
  assert.equal(put.status, 200, put.text);
});
after(() => app.close());

async function deliver(topic: string, payload: unknown, options: { id?: string; secret?: string } = {}) {
  const body = JSON.stringify(payload);
  return fetch(`${app.url}/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': SHOP,
      'x-shopify-webhook-id': options.id ?? randomUUID(),
      'x-shopify-hmac-sha256': createHmac('sha256', options.secret ?? SECRET)
        .update(body)
        .digest('base64'),
    },
    body,
  });
}

const checkout = (token: string, phone: string, extra: Record<string, unknown> = {}) => ({
  ...sample('checkouts_create'),
  token,
  phone,
  updated_at: new Date().toISOString(),
  abandoned_checkout_url: `https://${SHOP}/checkouts/${token}/recover?key=k`,
  ...extra,
});

const chaseOf = async (token: string) => {
  const { rows } = await app.db.pool.query<{ id: string }>(`select id from chases where source_key = $1`, [token]);
  return rows.map((r) => r.id);
};

describe('abandoned checkouts', () => {
  test('a checkout is chased after its delay, the link goes by SMS, and the order that follows is recovered revenue', async () => {
    const c = await campaign(app.worker, app.tenantId, {
      trigger: { type: 'abandoned-checkout', delayMinutes: 0 },
      scripts: [{ name: 'cart', say: 'Hi {{name}}, your {{context.product}} is still in your cart.', sms: 'Your cart: {{context.link}}' }],
      channel: { policy: 'voice' },
    });
    const phone = mobile(801);
    app.sim.setPersona(phone, { script: ['yes please send me the link'] });
    const res = await deliver('checkouts/create', checkout('tok-801', phone));
    assert.equal(res.status, 200);
    const [id] = await eventually(
      async () => {
        const ids = await chaseOf('tok-801');
        return ids.length ? ids : false;
      },
      'the chase to start',
      10_000,
    );
    const done = await waitForChase(app.worker, app.tenantId, id!);
    assert.equal(done.campaignId, c.id);
    assert.equal(done.outcome, 'interested');
    assert.match(
      app.sim
        .calls()
        .find((call) => call.to === phone)!
        .heard.map((h) => h.text)
        .join(' '),
      /IPod Nano - 8GB – Pink is still in your cart/,
    );
    const sms = await eventually(async () => app.sim.messages().find((m) => m.to === phone), 'the link SMS');
    assert.match(sms.body, /\/l\//);

    assert.equal((await deliver('orders/create', { ...sample('orders_create'), checkout_token: 'tok-801' })).status, 200);
    const recovered = await waitForChase(app.worker, app.tenantId, id!, (ch) => ch.timeline.some((e) => e.type === 'recovered'));
    assert.deepEqual(recovered.timeline.find((e) => e.type === 'recovered')?.detail, { orderId: '820982911946154508', total: '404.95', currency: 'USD' });
    const { rows } = await app.db.pool.query<{ revenue: string; revenue_currency: string }>(`select revenue, revenue_currency from chases where id = $1`, [id]);
    assert.deepEqual(rows[0], { revenue: '404.95', revenue_currency: 'USD' });
    // Only the next tests' own campaigns chase their checkouts.
    await setCampaignStatus(app.worker, app.tenantId, c.id, 'pause');
  });

  test('an order placed before the call cancels the chase, and no call is made', async () => {
    await campaign(app.worker, app.tenantId, { name: 'later', trigger: { type: 'abandoned-checkout', delayMinutes: 60 }, channel: { policy: 'voice' } });
    const phone = mobile(802);
    await deliver('checkouts/create', checkout('tok-802', phone));
    const ids = await eventually(
      async () => {
        const found = await chaseOf('tok-802');
        return found.length ? found : false;
      },
      'the chase to start',
      10_000,
    );
    for (const id of ids) assert.equal((await getChase(app.worker, app.tenantId, id)).status, 'scheduled');
    await deliver('orders/create', { ...sample('orders_create'), checkout_token: 'tok-802' });
    for (const id of ids) {
      const ended = await waitForChase(app.worker, app.tenantId, id);
      assert.equal(ended.status, 'canceled');
      assert.equal(ended.timeline.at(-1)?.detail?.reason, 'the order was placed');
    }
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 0);
    const { rows } = await app.db.pool.query<{ n: number }>(`select count(*)::int as n from chases where source_key = 'tok-802' and revenue is not null`);
    assert.equal(rows[0]!.n, 0, 'nothing recovered: the chase never reached the person');
  });

  test('an order processed before its checkout (the store’s events come in any order): the checkout is never chased', async () => {
    const phone = mobile(805);
    await deliver('orders/create', { ...sample('orders_create'), checkout_token: 'tok-805' });
    await deliver('checkouts/create', checkout('tok-805', phone));
    await eventually(async () => {
      const { rows } = await app.db.pool.query<{ n: number }>(`select count(*)::int as n from commerce_events where processed_at is null`);
      return rows[0]!.n === 0;
    }, 'both events to be processed');
    assert.deepEqual(await chaseOf('tok-805'), []);
    assert.equal(app.sim.calls().filter((call) => call.to === phone).length, 0);
  });

  test('a forged webhook is 401; a redelivery is processed once; a completed checkout ends its chase', async () => {
    const phone = mobile(803);
    assert.equal((await deliver('checkouts/create', checkout('tok-803', phone), { secret: 'not the secret' })).status, 401);
    const id = randomUUID();
    assert.equal((await deliver('checkouts/create', checkout('tok-803', phone), { id })).status, 200);
    assert.equal((await deliver('checkouts/create', checkout('tok-803', phone), { id })).status, 200);
    const { rows } = await app.db.pool.query<{ n: number }>(`select count(*)::int as n from commerce_events where delivery_id = $1`, [id]);
    assert.equal(rows[0]!.n, 1);
    const chases = await eventually(
      async () => {
        const found = await chaseOf('tok-803');
        return found.length ? found : false;
      },
      'the chase to start',
      10_000,
    );
    // One chase per campaign that chases checkouts, however often the webhook came.
    const { rows: campaigns } = await app.db.pool.query<{ n: number }>(
      `select count(*)::int as n from campaigns where trigger ->> 'type' = 'abandoned-checkout' and status = 'active'`,
    );
    assert.equal(chases.length, campaigns[0]!.n);
    await deliver('checkouts/update', checkout('tok-803', phone, { completed_at: new Date().toISOString() }));
    for (const chase of chases) {
      const ended = await waitForChase(app.worker, app.tenantId, chase, (ch) => ch.status === 'canceled' || ch.status === 'completed');
      assert.ok(ended.timeline.some((e) => e.detail?.reason === 'the checkout was completed') || ended.status === 'completed', JSON.stringify(ended.timeline));
    }
  });

  test('a customer’s data request: what Chaseline holds on them is compiled for the admins, each read audited', async () => {
    const phone = mobile(806);
    const customer = { id: 7006, admin_graphql_api_id: 'gid://shopify/Customer/7006', first_name: 'Lin', last_name: 'Wu' };
    await deliver('checkouts/create', checkout('tok-806', phone, { customer }));
    await eventually(
      async () => {
        const found = await chaseOf('tok-806');
        return found.length ? found : false;
      },
      'the chase to start',
      10_000,
    );
    const request = {
      ...sample('customers_data_request'),
      shop_domain: SHOP,
      customer: { id: 7006, email: 'lin@example.com', phone: null },
      data_request: { id: 99006 },
    };
    assert.equal((await deliver('customers/data_request', request)).status, 200);
    assert.equal((await deliver('customers/data_request', request)).status, 200, 'a second delivery of the same request');
    const listed = await eventually(async () => {
      const res = await app.request('GET', '/v1/data-requests');
      return (res.body.items as { id: string; externalId: string }[]).filter((r) => r.externalId === '99006').length ? res.body.items : false;
    }, 'the data request');
    const mine = (listed as { id: string; source: string; externalId: string; contacts: number }[]).filter((r) => r.externalId === '99006');
    assert.equal(mine.length, 1, 'kept once');
    assert.deepEqual([mine[0]!.source, mine[0]!.contacts], ['shopify', 1]);
    const one = await app.request('GET', `/v1/data-requests/${mine[0]!.id}`);
    assert.equal(one.status, 200, one.text);
    const [held] = one.body.report.contacts as {
      phone: string;
      name: string;
      crm: { system: string; externalId: string }[];
      chases: { context: { link: string } }[];
    }[];
    assert.equal(held!.phone, phone);
    assert.equal(held!.name, 'Lin Wu');
    assert.deepEqual(held!.crm, [{ system: 'shopify', externalId: '7006' }]);
    assert.ok(held!.chases.length >= 1 && held!.chases[0]!.context.link.includes('tok-806'), 'their chases, with the cart');
    const audit = await app.request('GET', '/v1/audit-log');
    assert.ok((audit.body.items as { action: string }[]).some((e) => e.action === 'data-request.read'));
    assert.ok(!app.logs.join('\n').includes(phone.slice(1)), 'the number is in no log');
  });

  test("a customer's withdrawn SMS consent becomes a sticky SMS opt-out; a redaction erases the person but keeps the counts", async () => {
    const phone = mobile(804);
    const customer = { id: 7001, admin_graphql_api_id: 'gid://shopify/Customer/7001', first_name: 'Mei', last_name: 'Lin' };
    await deliver('checkouts/create', checkout('tok-804', phone, { customer }));
    const chases = await eventually(
      async () => {
        const found = await chaseOf('tok-804');
        return found.length ? found : false;
      },
      'the chase to start',
      10_000,
    );
    const { rows: contacts } = await app.db.pool.query<{ id: string }>(
      `select contact_id as id from contact_crm_refs where system = 'shopify' and external_id = '7001'`,
    );
    const contactId = contacts[0]!.id;

    await deliver('customers/update', {
      ...sample('customers_update'),
      id: 7001,
      admin_graphql_api_id: 'gid://shopify/Customer/7001',
      phone: null,
      sms_marketing_consent: { state: 'unsubscribed' },
    });
    const optedOut = await eventually(async () => {
      const res = await app.request('GET', '/v1/opt-outs');
      return (res.body.items as { channel: string; source: string }[]).find((o) => o.channel === 'sms' && o.source === 'crm');
    }, 'the SMS opt-out');
    assert.ok(optedOut);

    const redact = { ...sample('customers_redact'), shop_domain: SHOP, customer: { id: 7001, email: 'x@example.com', phone: null } };
    assert.equal((await deliver('customers/redact', redact)).status, 200);
    const erased = await eventually(async () => {
      const { rows } = await app.db.pool.query<{ phone_enc: string | null; name_enc: string | null; phone_invalid_reason: string | null }>(
        `select phone_enc, name_enc, phone_invalid_reason from contacts where id = $1`,
        [contactId],
      );
      return rows[0]?.phone_invalid_reason ? rows[0] : false;
    }, 'the contact to be erased');
    assert.deepEqual(erased, { phone_enc: null, name_enc: null, phone_invalid_reason: 'erased on request' });
    const { rows: refs } = await app.db.pool.query(`select 1 from contact_crm_refs where contact_id = $1`, [contactId]);
    assert.equal(refs.length, 0);
    for (const id of chases) {
      const chase = await getChase(app.worker, app.tenantId, id);
      assert.ok(!['scheduled', 'dialing'].includes(chase.status), 'its chases ended');
      assert.deepEqual(chase.context, {}, 'the cart context is gone');
    }
    const { rows: events } = await app.db.pool.query<{ n: number }>(
      `select count(*)::int as n from commerce_events where event_enc is not null and processed_at is not null`,
    );
    assert.equal(events[0]!.n, 0, 'processed store events keep no personal data');
  });
});
