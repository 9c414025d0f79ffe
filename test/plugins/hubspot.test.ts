/**
 * The HubSpot app end to end, at the real HTTP server with the HubSpot simulator playing
 * HubSpot (its OAuth, callbacks API, signed workflow-action and card requests) and the
 * carrier simulator placing the calls: an admin installs the app (OAuth with the official
 * client), a workflow enrolls a contact into "Start Chaseline chase", the chase runs, the
 * record card shows its outcome, and the blocked enrollment is completed through the
 * callbacks API with the outcome fields. Unsigned, forged and stale requests change nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHubspotSim, type HubspotSim } from '../../sim/hubspot/index.ts';
import { testEngineApp, type TestApp } from '../support/app.ts';
import type { WorkerDeps } from '../../core/deps.ts';
import type { TwilioSim } from '../../sim/twilio/index.ts';
import { connectorCredentials, saveConnector } from '../../core/integrations/connectors.ts';
import { writeBackTargetFor } from '../../connectors/registry.ts';
import { campaign, mobile, waitForChase } from '../chases/support.ts';
import { eventually } from '../support/data.ts';

let app: TestApp & { sim: TwilioSim; worker: WorkerDeps };
let hubspot: HubspotSim;
let campaignId: string;

const chaseCount = async () =>
  Number((await app.db.pool.query<{ n: string }>(`select count(*) as n from chases where tenant_id = $1`, [app.tenantId])).rows[0]!.n);
const actionUrl = () => `${app.url}/plugins/hubspot/workflow/start-chase`;
const card = (path: string) => `${app.url}/plugins/hubspot/card/${path}`;

before(async () => {
  // The portal has the tags property Chaseline writes call outcomes to (an admin creates it: docs/plugins/hubspot.md).
  hubspot = await startHubspotSim({ rateLimits: false, contactProperties: ['chaseline_tags'] });
  // The contacts the workflow and the card work on exist in the portal (write-backs land on them).
  hubspot.setContacts([
    { id: '5001', properties: { firstname: 'Ada' } },
    { id: '6001', properties: { firstname: 'Grace' } },
  ]);
  app = await testEngineApp({
    sim: { clockSpeed: 50, callsPerSecond: 100 },
    outboxRetry: { baseMs: 100, maxMs: 300, attempts: 5 },
    apps: (url) => ({
      hubspot: {
        clientId: hubspot.clientId,
        clientSecret: hubspot.clientSecret,
        redirectUri: `${url}/plugins/hubspot/oauth/callback`,
        apiBaseUrl: hubspot.url,
      },
    }),
  });
  campaignId = (await campaign(app.worker, app.tenantId, { name: 'Renewals', channel: { policy: 'voice' } })).id;
});
after(async () => {
  await hubspot?.close();
  await app?.close();
});

async function install() {
  const link = await app.request('GET', '/v1/connectors/hubspot/install');
  assert.equal(link.status, 200, link.text);
  const redirect = hubspot.consent(link.body.url as string);
  return fetch(redirect);
}

describe('the HubSpot app', () => {
  test('install: the consent link names the tenant; the code becomes an encrypted connector for the portal, with the result properties created', async () => {
    const link = await app.request('GET', '/v1/connectors/hubspot/install');
    const url = new URL(link.body.url as string);
    assert.equal(url.origin + url.pathname, 'https://app.hubspot.com/oauth/authorize');
    assert.equal(url.searchParams.get('client_id'), hubspot.clientId);
    assert.equal(url.searchParams.get('redirect_uri'), `${app.url}/plugins/hubspot/oauth/callback`);
    assert.match(url.searchParams.get('scope')!, /automation/);

    const res = await install();
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(await res.text(), new RegExp(`HubSpot account ${hubspot.portalId}`));
    const list = await app.request('GET', '/v1/connectors');
    const connector = list.body.items.find((c: { type: string }) => c.type === 'hubspot');
    assert.ok(connector?.enabled);
    for (const field of ['accessToken', 'refreshToken', 'expiresAt', 'portalId', 'clientSecret']) assert.ok(connector.credentialFields.includes(field), field);
    const stored = (await connectorCredentials(app.worker, app.tenantId, 'hubspot')) as { accessToken: string; portalId: string };
    assert.equal(stored.portalId, String(hubspot.portalId));
    const { rows } = await app.db.pool.query<{ enc: string; account: string }>(
      `select credentials_enc as enc, account from connectors where tenant_id = $1 and type = 'hubspot'`,
      [app.tenantId],
    );
    assert.equal(rows[0]!.account, String(hubspot.portalId));
    assert.ok(!rows[0]!.enc.includes(stored.accessToken), 'the token is encrypted at rest');
    assert.ok(hubspot.property('contacts', 'chaseline_last_outcome'), 'setup ran with the installed token');
  });

  test('install: a forged or expired state, or a used code, installs nothing', async () => {
    const forged = await fetch(`${app.url}/plugins/hubspot/oauth/callback?code=abc&state=${encodeURIComponent('eyJ0IjoieCJ9.AAAA')}`);
    assert.equal(forged.status, 401);
    assert.equal((await forged.json()).field, 'state');
    const link = await app.request('GET', '/v1/connectors/hubspot/install');
    const redirect = hubspot.consent(link.body.url as string);
    assert.equal((await fetch(redirect)).status, 200);
    const replay = await fetch(redirect);
    assert.equal(replay.status, 502, 'a code is single-use: HubSpot refuses it the second time');
    assert.match((await replay.json()).detail, /BAD_AUTH_CODE/);
  });

  test('whole path: a workflow enrolls a contact, the chase runs, the card shows the outcome, and the enrollment completes with the outcome fields', async () => {
    const phone = mobile(7101);
    app.sim.setPersona(phone, { script: ['yes I am interested'] });
    const before = await chaseCount();
    const run = await hubspot.runWorkflowAction({
      actionUrl: actionUrl(),
      objectId: 5001,
      properties: { phone, firstname: 'Ada', lastname: 'Lovelace' },
      inputFields: { campaignId },
    });
    assert.equal(run.status, 200, JSON.stringify(run.json));
    assert.equal(run.json.outputFields.hs_execution_state, 'BLOCK');
    assert.match(run.json.outputFields.hs_expiration_duration, /^PT\d+S$/);
    // HubSpot retries the same execution: still one chase.
    const again = await hubspot.runWorkflowAction({
      actionUrl: actionUrl(),
      objectId: 5001,
      properties: { phone },
      inputFields: { campaignId },
      callbackId: run.callbackId,
    });
    assert.equal(again.json.outputFields.hs_execution_state, 'BLOCK');
    assert.equal(await chaseCount(), before + 1);

    const { rows } = await app.db.pool.query<{ chase_id: string }>(`select chase_id from chase_callbacks where tenant_id = $1 and callback_id = $2`, [
      app.tenantId,
      run.callbackId,
    ]);
    const done = await waitForChase(app.worker, app.tenantId, rows[0]!.chase_id);
    assert.equal(done.status, 'completed');

    const shown = await hubspot.cardFetch(card('chases?objectId=5001'));
    assert.equal(shown.status, 200, JSON.stringify(shown.json));
    assert.equal(shown.json.chases.length, 1);
    assert.deepEqual(
      { status: shown.json.chases[0].status, outcome: shown.json.chases[0].outcome, campaign: shown.json.chases[0].campaignName },
      { status: 'completed', outcome: done.outcome, campaign: 'Renewals' },
    );
    assert.equal(shown.json.latest.id, done.id);
    assert.ok(
      shown.json.latest.timeline.some((e: { type: string }) => e.type === 'created'),
      JSON.stringify(shown.json.latest.timeline),
    );

    const completion = await eventually(
      () => hubspot.callbackCompletions().find((c) => c.callbackId === run.callbackId) ?? false,
      'the enrollment to be completed through the callbacks API',
      15_000,
    );
    assert.equal(completion.outputFields.hs_execution_state, 'SUCCESS');
    assert.equal(completion.outputFields.outcome, done.outcome);
    assert.ok('intent' in completion.outputFields && 'recovered_revenue' in completion.outputFields);
    assert.equal(completion.outputFields.recovered_revenue, '0');
    // The chase's result also lands on the contact, and nothing is left in the outbox.
    await eventually(() => hubspot.contacts().find((c) => c.id === '5001')?.properties.chaseline_last_outcome === done.outcome, 'the result on the contact');
    const connector = (await app.request('GET', '/v1/connectors')).body.items.find((c: { type: string }) => c.type === 'hubspot');
    assert.deepEqual(connector.outbox, { pending: 0, dead: 0 }, JSON.stringify((await app.request('GET', '/v1/connectors/hubspot/outbox?status=dead')).body));
    // The person's number, name and the rep's email never reach the logs.
    const logs = app.logs.join('\n');
    for (const secret of [phone.slice(1), 'Lovelace', 'rep@example.com', hubspot.clientSecret]) assert.ok(!logs.includes(secret), `logs hold ${secret}`);
  });

  test('card: an unknown contact is an empty state; the picker lists active campaigns; a chase starts from the card', async () => {
    const empty = await hubspot.cardFetch(card('chases?objectId=987654321'));
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, { chases: [], latest: null });
    const picker = await hubspot.cardFetch(card('campaigns'));
    assert.deepEqual(
      picker.json.campaigns.map((c: { name: string }) => c.name),
      ['Renewals'],
    );
    const started = await hubspot.cardFetch(card('chases'), { method: 'POST', body: { objectId: '6001', campaignId, phone: mobile(7102), name: 'Grace' } });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const shown = await hubspot.cardFetch(card('chases?objectId=6001'));
    assert.equal(shown.json.chases[0].id, started.json.chase.id);
  });

  test('bad input is a 4xx naming the field', async () => {
    const badCampaign = await hubspot.cardFetch(card('chases'), { method: 'POST', body: { objectId: '6002', campaignId: 'nope' } });
    assert.equal(badCampaign.status, 400);
    assert.equal(badCampaign.json.field, 'campaignId');
    const noObject = await hubspot.cardFetch(card('chases'));
    assert.equal(noObject.status, 400);
    assert.equal(noObject.json.field, 'objectId');
    const noPhone = await hubspot.cardFetch(card('chases'), { method: 'POST', body: { objectId: '6003', campaignId } });
    assert.equal(noPhone.status, 404);
    assert.equal(noPhone.json.field, 'contact.crm');
    const noCallback = await hubspot.runWorkflowAction({ actionUrl: actionUrl(), objectId: 6004, properties: {}, inputFields: {} });
    assert.equal(noCallback.status, 400);
    assert.equal(noCallback.json.field, 'inputFields.campaignId');
  });

  test('unsigned, forged and stale requests are 401 and start nothing', async () => {
    const before = await chaseCount();
    const body = { objectId: '7001', campaignId, phone: mobile(7103) };
    const attempts = [
      await hubspot.cardFetch(card('chases'), { method: 'POST', body, clientSecret: 'not-the-app-secret' }),
      await hubspot.cardFetch(card('chases'), { method: 'POST', body, timestamp: Date.now() - 6 * 60_000 }),
      await hubspot.cardFetch(card('chases?objectId=5001'), { clientSecret: 'not-the-app-secret' }),
      await hubspot.runWorkflowAction({
        actionUrl: actionUrl(),
        objectId: 7001,
        properties: { phone: mobile(7103) },
        inputFields: { campaignId },
        clientSecret: 'not-the-app-secret',
      }),
      await hubspot.fetchActionOptions({
        optionsUrl: `${app.url}/plugins/hubspot/workflow/campaign-options`,
        inputFieldName: 'campaignId',
        clientSecret: 'nope-nope',
      }),
    ];
    for (const a of attempts) assert.equal(a.status, 401, JSON.stringify(a.json));
    const unsigned = await fetch(`${card('chases')}?portalId=${hubspot.portalId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(unsigned.status, 401);
    assert.equal((await unsigned.json()).status, 401);
    assert.equal(await chaseCount(), before, 'nothing started');
  });

  test('the campaign field’s options come from Chaseline (searchable)', async () => {
    const options = await hubspot.fetchActionOptions({
      optionsUrl: `${app.url}/plugins/hubspot/workflow/campaign-options`,
      inputFieldName: 'campaignId',
      q: 'renew',
    });
    assert.equal(options.status, 200);
    assert.deepEqual(options.json.options, [{ label: 'Renewals', value: campaignId }]);
  });

  test('a token HubSpot refuses before its time is renewed once, and the write-back goes through', async () => {
    const stored = (await connectorCredentials(app.worker, app.tenantId, 'hubspot')) as Record<string, string>;
    hubspot.expireAccessTokens(); // HubSpot says 401 although Chaseline thinks the token has 30 minutes left
    const refreshesBefore = hubspot.requests().filter((r) => r.path === '/oauth/v1/token').length;
    const target = await writeBackTargetFor(app.worker)(app.tenantId, 'hubspot');
    const [result] = await target!.writeBack([
      { kind: 'chase-result', externalId: '6001', result: { outcome: 'refused', endedAt: new Date().toISOString(), attempts: 1, campaign: 'Renewals' } },
    ]);
    assert.equal(result!.status, 'done');
    assert.equal(hubspot.contacts().find((c) => c.id === '6001')!.properties.chaseline_last_outcome, 'refused');
    assert.equal(hubspot.requests().filter((r) => r.path === '/oauth/v1/token').length, refreshesBefore + 1, 'renewed once');
    assert.notEqual(((await connectorCredentials(app.worker, app.tenantId, 'hubspot')) as Record<string, string>).accessToken, stored.accessToken);
  });

  test('an expired token is renewed with the refresh token; a refused renewal shows on the connector', async () => {
    // The stored token has run out (HubSpot's live 30 minutes passed).
    const started = new Date();
    const stored = (await connectorCredentials(app.worker, app.tenantId, 'hubspot')) as Record<string, string>;
    hubspot.expireAccessTokens();
    await saveConnector(
      app.worker,
      app.tenantId,
      'hubspot',
      { ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() },
      { account: stored.portalId! },
    );
    const target = await writeBackTargetFor(app.worker)(app.tenantId, 'hubspot');
    const renewed = (await connectorCredentials(app.worker, app.tenantId, 'hubspot')) as Record<string, string>;
    assert.notEqual(renewed.accessToken, stored.accessToken);
    assert.ok(Date.parse(renewed.expiresAt!) > Date.now() + 20 * 60_000);
    const refreshes = hubspot
      .requests()
      .filter((r) => r.path === '/oauth/v1/token' && (r.body as Record<string, string>).grant_type === 'refresh_token' && r.at >= started);
    assert.equal(refreshes.length, 1, 'renewed once');
    // The renewed token works: a write-back goes through.
    const [result] = await target!.writeBack([
      { kind: 'chase-result', externalId: '5001', result: { outcome: 'interested', endedAt: new Date().toISOString(), attempts: 1, campaign: 'Renewals' } },
    ]);
    assert.equal(result!.status, 'done');

    hubspot.revokeRefreshTokens();
    hubspot.expireAccessTokens();
    await saveConnector(
      app.worker,
      app.tenantId,
      'hubspot',
      { ...renewed, expiresAt: new Date(Date.now() - 1000).toISOString() },
      { account: renewed.portalId! },
    );
    await assert.rejects(writeBackTargetFor(app.worker)(app.tenantId, 'hubspot'), /BAD_REFRESH_TOKEN/);
    const list = await app.request('GET', '/v1/connectors');
    const connector = list.body.items.find((c: { type: string }) => c.type === 'hubspot');
    assert.match(connector.lastError, /renewing the HubSpot access token.*install the app again/);
    // The card still answers (it reads Chaseline only), no 500.
    assert.equal((await hubspot.cardFetch(card('chases?objectId=5001'))).status, 200);
  });
});

describe('without HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET', () => {
  let bare: TestApp;
  before(async () => {
    bare = await testEngineApp({ worker: false });
  });
  after(() => bare?.close());

  test('the plugin routes and the install link answer 404 saying what to set', async () => {
    for (const res of [
      await fetch(`${bare.url}/plugins/hubspot/card/chases?objectId=1&portalId=1`),
      await fetch(`${bare.url}/plugins/hubspot/workflow/start-chase`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }),
      await fetch(`${bare.url}/plugins/hubspot/oauth/callback?code=a&state=b`),
    ]) {
      assert.equal(res.status, 404);
      assert.match((await res.json()).detail, /HUBSPOT_CLIENT_ID/);
    }
    const link = await bare.request('GET', '/v1/connectors/hubspot/install');
    assert.equal(link.status, 404);
    assert.match(link.body.detail, /HUBSPOT_CLIENT_ID/);
  });
});
