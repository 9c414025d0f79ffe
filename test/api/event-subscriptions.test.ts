// Outbound events for developers (issue 11): a subscription gets each chase's end, signed per
// Standard Webhooks and verified here with the standardwebhooks library itself; the receiver
// being down (500s) only delays delivery; the delivery log shows what happened, and replay
// sends again. URLs that would make the server call into its own network are refused, and
// only admins manage subscriptions.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { assertProblem, cnMobile, trpcQuery } from '../support/api.ts';
import { ALL_DAY, eventually, newCampaign, newKey, newTenant } from '../support/data.ts';

interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A local receiver answering `status()` to each POST, keeping what it got. */
async function receiver(status: () => number): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.writeHead(status()).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, got, server };
}

let app: TestApp;
let campaign: { id: string };
const servers: Server[] = [];

before(async () => {
  app = await testEngineApp({ allowedEventHosts: ['127.0.0.1'], eventRetry: { baseMs: 200, maxMs: 1000, attempts: 4 } });
  campaign = await newCampaign(app, { name: 'Later', rules: { window: ALL_DAY, delayMinutes: 60 } });
});
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await app?.close();
});

let n = 0;
/** Starts a chase (it waits an hour) and cancels it: its end is a chase.completed event. */
async function endAChase(): Promise<{ id: string }> {
  const contact = await app.request('POST', '/v1/contacts', { body: { name: `Person ${++n}`, phone: cnMobile(7000 + n), email: `p${n}@example.com` } });
  const chase = await app.request('POST', '/v1/chases', { body: { campaignId: campaign.id, contact: { id: contact.body.id } } });
  assert.equal(chase.status, 201, chase.text);
  const canceled = await app.request('POST', `/v1/chases/${chase.body.id}/cancel`);
  assert.equal(canceled.status, 200, canceled.text);
  return chase.body;
}

const subscribe = async (url: string, types = ['chase.completed', 'chase.opted_out', 'chase.failed']) => {
  const res = await app.request('POST', '/v1/event-subscriptions', { body: { url, types, description: 'our CRM bridge' } });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; secret: string };
};

describe('delivery', () => {
  test('an event survives the receiver being down, arrives signed, and verifies with the Standard Webhooks library', { timeout: 30_000 }, async () => {
    let failures = 2;
    const r = await receiver(() => (failures-- > 0 ? 500 : 204));
    servers.push(r.server);
    const sub = await subscribe(r.url);
    assert.match(sub.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const chase = await endAChase();
    await eventually(() => r.got.length >= 3, 'the third try of the delivery');
    const last = r.got[2]!;
    const payload = new Webhook(sub.secret).verify(last.body, last.headers as Record<string, string>) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    assert.equal(payload.type, 'chase.completed');
    assert.ok(!Number.isNaN(Date.parse(payload.timestamp)));
    assert.equal(payload.data.chaseId, chase.id);
    assert.equal(payload.data.campaignId, campaign.id);
    assert.equal(payload.data.status, 'canceled');
    assert.equal(payload.data.attempts, 0);
    // Ids only: no phone number, name or email travels in an event.
    assert.doesNotMatch(last.body, /139\d{8}|Person|example\.com/);
    // The same message on every try: receivers deduplicate on webhook-id.
    assert.equal(new Set(r.got.map((g) => g.headers['webhook-id'])).size, 1);
    // A body changed on the way, or another secret, does not verify.
    assert.throws(() => new Webhook(sub.secret).verify(last.body.replace('canceled', 'completed'), last.headers as Record<string, string>));

    const log = await app.request('GET', `/v1/event-subscriptions/${sub.id}/deliveries`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.body.items.length, 1);
    const d = log.body.items[0];
    assert.equal(d.status, 'delivered');
    assert.equal(d.attempts, 3);
    assert.equal(d.lastStatusCode, 204);
    assert.equal(d.eventType, 'chase.completed');
    assert.equal(d.eventId, last.headers['webhook-id']);
    assert.ok(d.deliveredAt);

    // Replay: the same event again, with fresh attempts.
    const replay = await app.request('POST', `/v1/event-subscriptions/${sub.id}/deliveries/${d.id}/replay`);
    assert.equal(replay.status, 202, replay.text);
    await eventually(() => r.got.length >= 4, 'the replayed delivery');
    assert.equal(r.got[3]!.headers['webhook-id'], d.eventId);
    const after = await eventually(async () => {
      const l = await app.request('GET', `/v1/event-subscriptions/${sub.id}/deliveries?status=delivered`);
      return l.body.items[0]?.attempts === 1 && l.body.items[0];
    }, 'the replay in the log');
    assert.equal(after.lastStatusCode, 204);
    await app.request('DELETE', `/v1/event-subscriptions/${sub.id}`);
  });

  test('a receiver that never answers 2xx leaves a dead delivery; replay since a time sends it once it is back', { timeout: 30_000 }, async () => {
    let up = false;
    const r = await receiver(() => (up ? 200 : 503));
    servers.push(r.server);
    const sub = await subscribe(r.url, ['chase.completed']);
    const since = new Date(Date.now() - 1000).toISOString();
    await endAChase();
    const dead = await eventually(async () => {
      const l = await app.request('GET', `/v1/event-subscriptions/${sub.id}/deliveries?status=dead`);
      return l.body.items[0];
    }, 'a dead delivery');
    assert.equal(dead.attempts, 4);
    assert.equal(dead.lastStatusCode, 503);
    assert.match(dead.lastError, /503/);
    up = true;
    const replay = await app.request('POST', `/v1/event-subscriptions/${sub.id}/replay`, { body: { since } });
    assert.equal(replay.status, 202, replay.text);
    assert.equal(replay.body.queued, 1);
    await eventually(
      async () => (await app.request('GET', `/v1/event-subscriptions/${sub.id}/deliveries?status=delivered`)).body.items.length === 1,
      'the replayed delivery delivered',
    );
    assert.equal(r.got.at(-1)!.headers['webhook-id'], dead.eventId);
    assert.equal((await app.request('DELETE', `/v1/event-subscriptions/${sub.id}`)).status, 200);
    // Its delivery log went with it.
    const { rows: log } = await app.db.pool.query(`select 1 from event_deliveries where subscription_id = $1`, [sub.id]);
    assert.equal(log.length, 0);
  });

  test('a disabled subscription gets nothing; a subscription gets only its types', { timeout: 30_000 }, async () => {
    const r = await receiver(() => 200);
    servers.push(r.server);
    const failedOnly = await subscribe(r.url, ['chase.failed']);
    const off = await subscribe(r.url, ['chase.completed']);
    assert.equal((await app.request('PATCH', `/v1/event-subscriptions/${off.id}`, { body: { enabled: false } })).body.enabled, false);
    const on = await subscribe(r.url, ['chase.completed']);
    await endAChase();
    await eventually(
      async () => (await app.request('GET', `/v1/event-subscriptions/${on.id}/deliveries?status=delivered`)).body.items.length === 1,
      'the enabled subscription served',
    );
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(r.got.length, 1);
    assert.equal((await app.request('GET', `/v1/event-subscriptions/${off.id}/deliveries`)).body.items.length, 0);
    assert.equal((await app.request('GET', `/v1/event-subscriptions/${failedOnly.id}/deliveries`)).body.items.length, 0);
    // Operators see deliveries in /metrics (counted from the database: any worker may send them).
    const metrics = await app.request('GET', '/metrics', { key: null });
    assert.match(metrics.text, /chaseline_event_deliveries\{status="delivered"\} [1-9]/);
    assert.match(metrics.text, /chaseline_event_delivery_attempts [1-9]/);
    for (const s of [failedOnly, off, on]) await app.request('DELETE', `/v1/event-subscriptions/${s.id}`);
  });
});

describe('managing subscriptions', () => {
  test('URLs into the server’s own network are a 400 naming url, unless the operator allowed the host', async () => {
    for (const url of [
      'http://hooks.example.com/x',
      'https://localhost/x',
      'https://10.1.2.3/x',
      'https://192.168.0.10/x',
      'https://[::1]/x',
      'https://169.254.169.254/latest',
      'https://intranet/x',
      'not a url',
      'https://user:pw@hooks.example.com/x',
    ]) {
      assertProblem(await app.request('POST', '/v1/event-subscriptions', { body: { url, types: ['chase.completed'] } }), 400, 'VALIDATION', 'url');
    }
    // 127.0.0.1 is allowed in this app (CHASELINE_ALLOWED_EVENT_HOSTS), on http too; a public https host always is.
    const ok = await app.request('POST', '/v1/event-subscriptions', {
      body: { url: 'https://hooks.example.com/chaseline', types: ['chase.failed', 'chase.failed'] },
    });
    assert.equal(ok.status, 201, ok.text);
    assert.deepEqual(ok.body.types, ['chase.failed']);
    assertProblem(await app.request('PATCH', `/v1/event-subscriptions/${ok.body.id}`, { body: { url: 'https://127.0.0.2/x' } }), 400, 'VALIDATION', 'url');
    assertProblem(
      await app.request('POST', '/v1/event-subscriptions', { body: { url: 'https://hooks.example.com/x', types: [] } }),
      400,
      'VALIDATION',
      'types',
    );
    assertProblem(
      await app.request('POST', '/v1/event-subscriptions', { body: { url: 'https://hooks.example.com/x', types: ['chase.exploded'] } }),
      400,
      'VALIDATION',
      'types.0',
    );
    await app.request('DELETE', `/v1/event-subscriptions/${ok.body.id}`);
  });

  test('create shows the secret once; get, list, update, rotate and delete; another tenant sees nothing', async () => {
    const created = await subscribe('https://hooks.example.com/a');
    const got = await app.request('GET', `/v1/event-subscriptions/${created.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.secret, undefined);
    assert.equal(got.body.description, 'our CRM bridge');
    const list = await app.request('GET', '/v1/event-subscriptions');
    assert.ok(list.body.items.some((s: { id: string }) => s.id === created.id));
    assert.ok(!JSON.stringify(list.body).includes(created.secret));
    // The secret is stored encrypted: not in the table as plain text.
    const { rows } = await app.db.pool.query(`select secret_enc from event_subscriptions where id = $1`, [created.id]);
    assert.ok(!rows[0].secret_enc.includes(created.secret.slice(6)));
    const patched = await app.request('PATCH', `/v1/event-subscriptions/${created.id}`, { body: { types: ['chase.opted_out'], description: null } });
    assert.deepEqual(patched.body.types, ['chase.opted_out']);
    assert.equal(patched.body.description, null);
    const rotated = await app.request('POST', `/v1/event-subscriptions/${created.id}/rotate-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.match(rotated.body.secret, /^whsec_/);
    assert.notEqual(rotated.body.secret, created.secret);
    const other = await newTenant(app, 'Other');
    assertProblem(await app.request('GET', `/v1/event-subscriptions/${created.id}`, { key: other.key }), 404, 'NOT_FOUND', 'id');
    assert.equal((await app.request('GET', '/v1/event-subscriptions', { key: other.key })).body.items.length, 0);
    assert.equal((await app.request('DELETE', `/v1/event-subscriptions/${created.id}`)).status, 200);
    assertProblem(await app.request('GET', `/v1/event-subscriptions/${created.id}`), 404, 'NOT_FOUND', 'id');
    assertProblem(await app.request('POST', `/v1/event-subscriptions/${created.id}/deliveries/1/replay`), 404, 'NOT_FOUND');
  });

  test('only admins manage subscriptions, over REST and tRPC', async () => {
    for (const role of ['operator', 'viewer'] as const) {
      const key = (await newKey(app, role)).key;
      assertProblem(
        await app.request('POST', '/v1/event-subscriptions', { key, body: { url: 'https://hooks.example.com/x', types: ['chase.failed'] } }),
        403,
        'FORBIDDEN',
      );
      assertProblem(await app.request('GET', '/v1/event-subscriptions', { key }), 403, 'FORBIDDEN');
      const trpc = await trpcQuery(app, 'eventSubscriptions.list', {}, key);
      assert.equal(trpc.status, 403);
    }
  });
});
