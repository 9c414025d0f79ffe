/**
 * Reports agree exactly with the chases that produced them: a scenario of known outcomes runs
 * through the real engine and the Twilio simulator (personas picked by the number's last
 * digit), over three campaigns, two scripts, two tiers and two caller ids, with a link click,
 * a recovered order, an opt-out, a complaint, an undelivered text and an import row refused
 * for its number. Then every groupBy of GET /v1/reports/summary is checked row by row against
 * counts computed here from what each chase did.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { startChase, type ChaseDetail } from '../../core/chases/chases.ts';
import { createSegment, refreshSegment } from '../../core/segments/segments.ts';
import { upsertContact } from '../../core/contacts/contacts.ts';
import { applyOrder } from '../../core/commerce/chases.ts';
import { recordComplaint } from '../../core/reports/complaints.ts';
import { withTransaction } from '../../core/db/pool.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { DEFAULT_PERSONAS_BY_SUFFIX } from '../../sim/twilio/personas.ts';
import { groupBys, type GroupBy } from '../../core/reports/definitions.ts';
import { campaign, mobile, waitForChase } from '../chases/support.ts';
import { eventually } from '../support/data.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let deps: WorkerDeps;
let t: string;

before(async () => {
  app = await testEngineApp({ sim: { clockSpeed: 50, callsPerSecond: 100, personasBySuffix: DEFAULT_PERSONAS_BY_SUFFIX } });
  deps = app.worker;
  t = app.tenantId;
});
after(() => app.close());

/** What one chase is known to have done, as the scenario set it up. */
interface Known {
  campaignId: string;
  industry: string;
  conversion: boolean;
  optOut: boolean;
  complaint: boolean;
  invalid: boolean;
  clicked: boolean;
  revenue?: { currency: string; amount: number };
}

type Counts = Record<
  | 'chases'
  | 'attempts'
  | 'answered'
  | 'conversions'
  | 'optOuts'
  | 'complaints'
  | 'invalid'
  | 'refused'
  | 'smsSent'
  | 'smsDelivered'
  | 'smsClicked'
  | 'talkSeconds',
  number
> & {
  revenue: Map<string, number>;
};

const empty = (): Counts => ({
  chases: 0,
  attempts: 0,
  answered: 0,
  conversions: 0,
  optOuts: 0,
  complaints: 0,
  invalid: 0,
  refused: 0,
  smsSent: 0,
  smsDelivered: 0,
  smsClicked: 0,
  talkSeconds: 0,
  revenue: new Map(),
});

const localHour = (at: string) =>
  Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hourCycle: 'h23' }).format(new Date(at)));
const weekday = (at: string) =>
  ({ Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 })[
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(new Date(at))
  ]!;

test('every groupBy of the summary matches, row by row, what the scenario did', { timeout: 180_000 }, async () => {
  // Two tiers, from the contacts' order value.
  const segment = await createSegment(deps, t, {
    name: 'value',
    definition: {
      kind: 'rules',
      tiers: [
        { name: 'gold', when: { attribute: 'orderValue', op: 'gte', value: 500 } },
        { name: 'silver', when: { attribute: 'orderValue', op: 'gte', value: 0 } },
      ],
    },
  });
  const person = async (i: number, orderValue: number, tags: string[] = []) =>
    (await upsertContact(deps, t, { phone: mobile(i), tags, attributes: { orderValue } }, 'api')).contact.id;
  // Last digit: 1 asks the price then says yes, 3 says 退订, 0 never answers, 4 is a machine, 2 is not interested.
  const ids = {
    yes: await person(11, 900, ['vip']),
    optOut: await person(13, 100),
    noAnswer: await person(20, 100),
    machine: await person(24, 800),
    smsClick: await person(31, 100),
    smsBad: await person(35, 900),
    order: await person(42, 600),
  };
  app.sim.setProfile(mobile(35), { outcomes: { answered: 1 }, sms: { undelivered: 1 } });
  await refreshSegment(deps, t, segment.id);

  const scripts = [
    { name: 'vip', when: { tags: ['vip'] }, say: 'Hello, your cart is waiting.', sms: 'Your cart: {{context.link}}' },
    { name: 'default', say: 'Hello, your cart is waiting.', sms: 'Your cart: {{context.link}}' },
  ];
  const leads = await campaign(deps, t, {
    name: 'Leads',
    industry: 'finance',
    segmentId: segment.id,
    channel: { policy: 'voice' },
    rules: { maxCallAttempts: 1 },
    scripts,
  });
  const texts = await campaign(deps, t, {
    name: 'Texts',
    industry: 'ecommerce',
    goal: 'link-clicked',
    segmentId: segment.id,
    channel: { policy: 'sms' },
    scripts,
    lines: [{ from: '+14155550199', minPriority: 0 }],
  });
  const orders = await campaign(deps, t, {
    name: 'Orders',
    goal: 'order',
    segmentId: segment.id,
    channel: { policy: 'voice' },
    rules: { maxCallAttempts: 1 },
    scripts,
  });
  assert.equal(orders.industry, 'other', 'a campaign that names no industry is other');

  const context = { link: 'https://shop.example/r/1' };
  const start = (campaignId: string, id: string, sourceKey?: string) =>
    startChase(deps, t, { campaignId, contact: { id }, context }, sourceKey ? { sourceKey } : {});
  const chases = {
    yes: await start(leads.id, ids.yes),
    optOut: await start(leads.id, ids.optOut),
    noAnswer: await start(leads.id, ids.noAnswer),
    machine: await start(leads.id, ids.machine),
    smsClick: await start(texts.id, ids.smsClick),
    smsBad: await start(texts.id, ids.smsBad),
    order: await start(orders.id, ids.order, 'checkout-42'),
  };
  const ended: Record<keyof typeof chases, ChaseDetail> = {} as Record<keyof typeof chases, ChaseDetail>;
  for (const [name, c] of Object.entries(chases)) ended[name as keyof typeof chases] = await waitForChase(deps, t, c.id, undefined, 60_000);
  assert.equal(ended.yes.outcome, 'interested', JSON.stringify(ended.yes.timeline.map((e) => e.type)));
  assert.ok(['completed', 'opted-out'].includes(ended.optOut.status), ended.optOut.status);
  assert.equal(ended.noAnswer.outcome, 'unreached');
  assert.equal(ended.order.outcome, 'not-interested');

  // Clicks: the interested person's link (sent during the call) and the texted one's; a second click counts nothing more.
  const clickOf = async (chaseId: string) => {
    const { rows } = await app.db.pool.query<{ code: string }>(`select code from links where tenant_id = $1 and chase_id = $2`, [t, chaseId]);
    const code = await eventually(
      async () =>
        rows[0]?.code ??
        (await app.db.pool.query<{ code: string }>(`select code from links where tenant_id = $1 and chase_id = $2`, [t, chaseId])).rows[0]?.code,
      'a tracked link',
      10_000,
    );
    for (let i = 0; i < 2; i++) assert.equal((await fetch(`${app.url}/l/${code}`, { redirect: 'manual' })).status, 302);
  };
  await clickOf(chases.yes.id);
  await clickOf(chases.smsClick.id);
  // The order placed after the call: revenue recovered, the campaign's goal.
  const order = await applyOrder(deps, t, {
    shop: 's',
    orderId: 'o-42',
    checkoutToken: 'checkout-42',
    phone: null,
    total: '42.50',
    currency: 'EUR',
    createdAt: null,
  });
  assert.equal(order.recovered, 1);
  // A complaint heard on a call (the complaint intent) of the unanswered chase, recorded once however often.
  for (let i = 0; i < 2; i++) await withTransaction(deps.db, (tx) => recordComplaint(tx, t, chases.noAnswer.id, new Date(), 'intent'));
  // An import with one row refused for its number.
  const imported = await fetch(`${app.url}/v1/imports?kind=contacts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.adminKey}`, 'content-type': 'text/csv' },
    body: 'phone,name\n+8613800009999,Ok\n12,Bad\n',
  });
  assert.equal(imported.status, 201, await imported.clone().text());
  assert.equal((await imported.json()).rejected.length, 1);

  // Every text has its delivery report before the counts are taken.
  const settled = async () => {
    const all: ChaseDetail[] = [];
    for (const c of Object.values(chases)) all.push((await app.request('GET', `/v1/chases/${c.id}`, { key: app.adminKey })).body);
    return all.every((c) => c.attempts.every((a) => a.channel === 'voice' || ['delivered', 'undelivered'].includes(a.status))) && all;
  };
  const details = await eventually(settled, 'every SMS to have its delivery report', 20_000);
  const byId = new Map(details.map((d) => [d.id, d]));

  const known: Record<keyof typeof chases, Known> = {
    yes: { campaignId: leads.id, industry: 'finance', conversion: true, optOut: false, complaint: false, invalid: false, clicked: true },
    optOut: { campaignId: leads.id, industry: 'finance', conversion: false, optOut: true, complaint: true, invalid: false, clicked: false },
    noAnswer: { campaignId: leads.id, industry: 'finance', conversion: false, optOut: false, complaint: true, invalid: false, clicked: false },
    machine: { campaignId: leads.id, industry: 'finance', conversion: false, optOut: false, complaint: false, invalid: false, clicked: false },
    smsClick: { campaignId: texts.id, industry: 'ecommerce', conversion: true, optOut: false, complaint: false, invalid: false, clicked: true },
    // Its number's text came back undelivered (30003): an invalid number, counted on the attempt.
    smsBad: { campaignId: texts.id, industry: 'ecommerce', conversion: false, optOut: false, complaint: false, invalid: false, clicked: false },
    order: {
      campaignId: orders.id,
      industry: 'other',
      conversion: true,
      optOut: false,
      complaint: false,
      invalid: false,
      clicked: false,
      revenue: { currency: 'EUR', amount: 42.5 },
    },
  };

  // The expected rows, computed from each chase's detail and what it is known to have done.
  const carrier = 'twilio';
  const expected = (groupBy: GroupBy) => {
    const rows = new Map<string, Counts>();
    const row = (key: string | number | null) => {
      const id = JSON.stringify(key);
      if (!rows.has(id)) rows.set(id, empty());
      return rows.get(id)!;
    };
    for (const [name, k] of Object.entries(known)) {
      const d = byId.get(chases[name as keyof typeof chases].id)!;
      const first = d.attempts.find((a) => a.status !== 'not-placed');
      const keyOf = (at: string, a: { from: string } | undefined) =>
        ({
          campaign: k.campaignId,
          script: d.script,
          segmentTier: d.tier,
          line: a?.from ?? null,
          carrier: a ? carrier : null,
          localHour: a ? localHour(at) : null,
          weekday: a ? weekday(at) : null,
          industry: k.industry,
          day: at.slice(0, 10),
        })[groupBy];
      // The chase counts in the hour it started, under its first placed attempt's line, carrier, local hour and weekday.
      const cc = row(groupBy === 'day' ? d.createdAt.slice(0, 10) : (keyOf(first?.createdAt ?? d.createdAt, first) ?? null));
      cc.chases++;
      if (k.conversion) cc.conversions++;
      if (k.optOut) cc.optOuts++;
      if (k.complaint) cc.complaints++;
      if (k.invalid) cc.invalid++;
      if (k.clicked) cc.smsClicked++;
      if (k.revenue) cc.revenue.set(k.revenue.currency, (cc.revenue.get(k.revenue.currency) ?? 0) + k.revenue.amount);
      for (const a of d.attempts) {
        const ac = row(keyOf(a.createdAt, a) ?? null);
        if (a.channel === 'voice') {
          ac.attempts++;
          if (a.status === 'completed' && a.outcome !== 'machine') {
            ac.answered++;
            ac.talkSeconds += a.durationSeconds ?? 0;
          }
        } else {
          ac.smsSent++;
          if (a.status === 'delivered') ac.smsDelivered++;
          if (a.status === 'undelivered') ac.invalid++;
        }
      }
    }
    // The refused import row: no campaign, no chase; today.
    const refused = row(groupBy === 'day' ? new Date().toISOString().slice(0, 10) : null);
    refused.refused++;
    refused.invalid++;
    return rows;
  };

  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  for (const groupBy of [undefined, ...groupBys]) {
    const res = await app.request(
      'GET',
      `/v1/reports/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${groupBy ? `&groupBy=${groupBy}` : ''}`,
      { key: app.adminKey },
    );
    assert.equal(res.status, 200, res.text);
    const want = groupBy ? expected(groupBy) : new Map([['null', [...expected('campaign').values()].reduce(sum, empty())]]);
    const got = new Map<string, Record<string, unknown>>(res.body.rows.map((r: { key: unknown }) => [JSON.stringify(r.key), r]));
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `groupBy ${groupBy}: the groups`);
    for (const [key, w] of want) {
      const g = got.get(key)!;
      const what = `groupBy ${groupBy}, key ${key}`;
      const { revenue, refused, ...counts } = w;
      for (const [metric, n] of Object.entries(counts)) assert.equal(g[metric], n, `${what}: ${metric}`);
      assert.deepEqual(
        g.revenue,
        [...revenue].map(([currency, amount]) => ({ currency, amount })),
        `${what}: revenue`,
      );
      assert.equal(g.connectRate, w.attempts ? w.answered / w.attempts : null, `${what}: connectRate`);
      assert.equal(g.conversionRate, w.chases ? w.conversions / w.chases : null, `${what}: conversionRate`);
      assert.equal(g.complaintRate, w.chases ? w.complaints / w.chases : null, `${what}: complaintRate`);
      assert.equal(g.invalidRate, w.chases + refused ? w.invalid / (w.chases + refused) : null, `${what}: invalidRate`);
      assert.equal(g.clickRate, w.smsSent ? w.smsClicked / w.smsSent : null, `${what}: clickRate`);
    }
  }

  // Two dimensions: each cell of the grid (key × subKey) adds up, by key and by subKey, to the one-dimension rows.
  const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const counts = [
    'chases',
    'attempts',
    'answered',
    'conversions',
    'optOuts',
    'complaints',
    'invalid',
    'smsSent',
    'smsDelivered',
    'smsClicked',
    'talkSeconds',
  ] as const;
  type Row = Record<string, number> & { key: string | number | null; subKey?: string | number | null; revenue: { currency: string; amount: number }[] };
  const rowsOf = async (query: string): Promise<Row[]> => {
    const res = await app.request('GET', `/v1/reports/summary?${range}&${query}`, { key: app.adminKey });
    assert.equal(res.status, 200, res.text);
    return res.body.rows;
  };
  for (const [groupBy, thenBy] of [
    ['localHour', 'weekday'],
    ['campaign', 'script'],
    ['weekday', 'campaign'],
  ] as const) {
    const cells = await rowsOf(`groupBy=${groupBy}&thenBy=${thenBy}`);
    assert.ok(cells.length > 0 && cells.every((c) => 'subKey' in c), `${groupBy}×${thenBy}: every cell has its subKey`);
    for (const [dimension, pick] of [
      [groupBy, (c: Row) => c.key],
      [thenBy, (c: Row) => c.subKey ?? null],
    ] as const) {
      const totals = new Map<string, Record<string, number>>();
      for (const c of cells) {
        const id = JSON.stringify(pick(c));
        const t = totals.get(id) ?? Object.fromEntries(counts.map((m) => [m, 0]));
        for (const m of counts) t[m]! += c[m]!;
        t.revenue = (t.revenue ?? 0) + c.revenue.reduce((n, r) => n + r.amount, 0);
        totals.set(id, t);
      }
      const single = await rowsOf(`groupBy=${dimension}`);
      assert.deepEqual([...totals.keys()].sort(), single.map((r) => JSON.stringify(r.key)).sort(), `${groupBy}×${thenBy}: the groups of ${dimension}`);
      for (const r of single) {
        const t = totals.get(JSON.stringify(r.key))!;
        for (const m of counts) assert.equal(t[m], r[m], `${groupBy}×${thenBy} summed by ${dimension}, key ${r.key}: ${m}`);
        assert.equal(
          t.revenue,
          r.revenue.reduce((n, v) => n + v.amount, 0),
          `${groupBy}×${thenBy} by ${dimension}, key ${r.key}: revenue`,
        );
      }
    }
  }

  // The totals a person would read: 7 chases, 5 calls placed, 3 answered by a person, 3 conversions, 1 opt-out, 2 complaints.
  const total = (await app.request('GET', `/v1/reports/summary?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { key: app.adminKey })).body
    .rows[0];
  assert.deepEqual(
    [
      total.chases,
      total.attempts,
      total.answered,
      total.conversions,
      total.optOuts,
      total.complaints,
      total.invalid,
      total.smsSent,
      total.smsDelivered,
      total.smsClicked,
    ],
    [7, 5, 3, 3, 1, 2, 2, 3, 2, 2],
  );
  assert.deepEqual(total.revenue, [{ currency: 'EUR', amount: 42.5 }]);

  // A rebuild from the stored rows gives the same numbers as counting as things happened.
  await app.db.pool.query(`select report_fold()`);
  const before = await app.db.pool.query(
    `select * from report_rollups where tenant_id = $1 and (chases, attempts, sms_sent, refused) <> (0, 0, 0, 0) order by 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`,
    [t],
  );
  await app.db.pool.query(`select report_rebuild($1)`, [t]);
  const rebuilt = await app.db.pool.query(
    `select * from report_rollups where tenant_id = $1 and (chases, attempts, sms_sent, refused) <> (0, 0, 0, 0) order by 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`,
    [t],
  );
  assert.deepEqual(rebuilt.rows, before.rows);
});

function sum(a: Counts, b: Counts): Counts {
  const out = empty();
  for (const k of Object.keys(out) as (keyof Counts)[]) if (k !== 'revenue') (out[k] as number) = (a[k] as number) + (b[k] as number);
  for (const m of [a.revenue, b.revenue]) for (const [c, v] of m) out.revenue.set(c, (out.revenue.get(c) ?? 0) + v);
  return out;
}
