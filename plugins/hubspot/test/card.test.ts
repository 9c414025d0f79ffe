/**
 * The Chaseline record card rendered with @hubspot/ui-extensions/testing (createRenderer),
 * its hubspot.fetch relayed to the real Chaseline test server exactly as HubSpot's proxy
 * relays it (portalId, userId, userEmail, appId added; signed v3 with the app's secret, by the
 * HubSpot simulator). A contact Chaseline does not know shows the empty state; picking a
 * campaign and pressing "Start chase" starts a chase, which then shows in the table with its
 * timeline.
 */
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { startHubspotSim, type HubspotSim } from '../../../sim/hubspot/index.ts';
import { testEngineApp, type TestApp } from '../../../test/support/app.ts';
import { LIVE, TERMINAL } from '../../../core/chases/store.ts';
import { type WorkerDeps } from '../../../core/deps.ts';
import { campaign, mobile } from '../../../test/chases/support.ts';

register('./react-alias.mjs', import.meta.url);
const { createRenderer } = await import('@hubspot/ui-extensions/testing');
const { Button, EmptyState, List, Select, StatusTag, Table, TableCell, TableRow, Text, Alert } = await import('@hubspot/ui-extensions');
const { ChaseCard } = await import('../src/app/cards/ChaseCard.tsx');
// The renderer's own React (react-alias.mjs), as the card uses.
const { createElement } = await import('react');

let app: TestApp & { worker: WorkerDeps };
let hubspot: HubspotSim;
let campaignId: string;
/** What the card asked hubspot.fetch for. */
const fetched: { url: string; method: string }[] = [];

before(async () => {
  hubspot = await startHubspotSim({ rateLimits: false, contactProperties: ['chaseline_tags'] });
  app = await testEngineApp({
    sim: { clockSpeed: 50, callsPerSecond: 100 },
    apps: (url) => ({
      hubspot: {
        clientId: hubspot.clientId,
        clientSecret: hubspot.clientSecret,
        redirectUri: `${url}/plugins/hubspot/oauth/callback`,
        apiBaseUrl: hubspot.url,
      },
    }),
  });
  campaignId = (await campaign(app.worker, app.tenantId, { name: 'Win-back', channel: { policy: 'voice' } })).id;
  const link = await app.request('GET', '/v1/connectors/hubspot/install');
  assert.equal((await fetch(hubspot.consent(link.body.url as string))).status, 200);
  // The card runs in HubSpot's worker, where hubspot.fetch is self.hsFetch: here it goes through the simulated proxy.
  Object.assign(globalThis, {
    self: globalThis,
    hsFetch: async (url: string, options: { method?: string; body?: Record<string, unknown> } = {}) => {
      fetched.push({ url, method: options.method ?? 'GET' });
      const answer = await hubspot.cardFetch(url, { method: options.method, body: options.body });
      return new Response(answer.json === undefined ? null : JSON.stringify(answer.json), {
        status: answer.status,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
});
after(async () => {
  await hubspot?.close();
  await app?.close();
});

const WAIT = { timeoutInMs: 5000 };

describe('the Chaseline card', () => {
  test('an unknown contact shows the empty state; a chase started from the picker shows in the table with its timeline', async () => {
    const renderer = createRenderer('crm.record.tab');
    renderer.mocks.useCrmProperties.willCall(() => ({
      properties: { phone: mobile(8801), mobilephone: '', firstname: 'Ada', lastname: 'King' },
      error: null,
      isLoading: false,
      isRefetching: false,
      refetch: async () => undefined,
    }));
    renderer.render(createElement(ChaseCard, { objectId: '8001', baseUrl: app.url }));

    await renderer.waitFor(() => assert.ok(renderer.find(EmptyState)), WAIT);
    assert.equal(renderer.maybeFind(Table), null, 'no table before any chase');
    assert.equal(renderer.maybeFind(Alert), null, 'no error');
    await renderer.waitFor(() => assert.equal(renderer.find(Select).props.options.length, 1), WAIT);
    assert.deepEqual(renderer.find(Select).props.options, [{ label: 'Win-back', value: campaignId }]);
    assert.equal(renderer.find(Button).props.disabled, true, 'nothing to start before a campaign is picked');

    renderer.find(Select).trigger('onChange', campaignId as never); // the testing types want the handler, the handler takes the value
    await renderer.waitFor(() => assert.equal(renderer.find(Button).props.disabled, false), WAIT);
    renderer.find(Button).trigger('onClick');

    await renderer.waitFor(() => assert.equal(renderer.findAll(TableRow).length, 2), WAIT); // header + the chase
    const row = renderer.findAll(TableRow)[1]!;
    const cells = row.findAll(TableCell);
    assert.equal(cells[0]!.text, 'Win-back');
    assert.ok(([...LIVE, ...TERMINAL] as string[]).includes(row.find(StatusTag).text ?? ''), 'the chase’s status');
    assert.equal(renderer.maybeFind(EmptyState), null);
    const timeline = renderer
      .find(List)
      .findAll(Text)
      .map((t) => t.childNodes.map((n) => n.text).join(''));
    assert.ok(
      timeline.some((line) => line.endsWith('created')),
      `the latest chase’s timeline: ${timeline.join(' | ')}`,
    );

    // The chase is the contact's, with the number and name the card read from the record.
    const { rows } = await app.db.pool.query<{ n: string }>(
      `select count(*) as n from chases c join contact_crm_refs r on r.tenant_id = c.tenant_id and r.contact_id = c.contact_id where c.tenant_id = $1 and r.system = 'hubspot' and r.external_id = '8001'`,
      [app.tenantId],
    );
    assert.equal(rows[0]!.n, '1');
    assert.ok(fetched.some((f) => f.method === 'POST' && f.url === `${app.url}/plugins/hubspot/card/chases`));
  });

  test('a Chaseline refusal shows as an alert, not a broken card', async () => {
    const renderer = createRenderer('crm.record.tab');
    renderer.mocks.useCrmProperties.willCall(() => ({
      properties: { phone: '', mobilephone: '', firstname: '', lastname: '' },
      error: null,
      isLoading: false,
      isRefetching: false,
      refetch: async () => undefined,
    }));
    renderer.render(createElement(ChaseCard, { objectId: '8002', baseUrl: app.url }));
    await renderer.waitFor(() => assert.ok(renderer.find(EmptyState)), WAIT);
    await renderer.waitFor(() => assert.equal(renderer.find(Select).props.options.length, 1), WAIT);
    renderer.find(Select).trigger('onChange', campaignId as never); // the testing types want the handler, the handler takes the value
    await renderer.waitFor(() => assert.equal(renderer.find(Button).props.disabled, false), WAIT);
    renderer.find(Button).trigger('onClick');
    // No phone on the record and none known to Chaseline: the API's reason is shown.
    await renderer.waitFor(() => assert.match(renderer.find(Alert).text ?? '', /phone/), WAIT);
  });
});
