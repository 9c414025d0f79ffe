/**
 * The HubSpot project as `hs project upload` reads it: hsproject.json names the source folder
 * and platform 2025.2; every *-hsmeta.json parses with a unique uid and a known type; the
 * card's entrypoint exists; every URL the card fetches is inside the app's permittedUrls.fetch;
 * the workflow action's actionUrl and optionsUrl, and the OAuth redirect, are routes Chaseline
 * serves (asked on a running server, signed as HubSpot signs them); the scopes the app
 * declares are the ones Chaseline's install link asks for; the action's fields are the ones
 * Chaseline reads and completes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HUBSPOT_SCOPES } from '../../../connectors/hubspot/app/oauth.ts';
import { completionOutputFields } from '../../../connectors/hubspot/app/callbacks.ts';
import { startHubspotSim, type HubspotSim } from '../../../sim/hubspot/index.ts';
import { testEngineApp, type TestApp } from '../../../test/support/app.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const project = JSON.parse(readFileSync(path.join(root, 'hsproject.json'), 'utf8')) as { name: string; srcDir: string; platformVersion: string };
const src = path.join(root, project.srcDir);

function hsmetaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return hsmetaFiles(full);
    return name.endsWith('-hsmeta.json') ? [full] : [];
  });
}

const metas = hsmetaFiles(src).map((file) => ({
  file: path.relative(root, file),
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  meta: JSON.parse(readFileSync(file, 'utf8')) as { uid: string; type: string; config: any },
}));
const ofType = (type: string) => metas.filter((m) => m.meta.type === type).map((m) => m.meta.config);
const appConfig = ofType('app')[0];
const [card] = ofType('card');
const [action] = ofType('workflow-action');
const BASE = appConfig.permittedUrls.fetch[0] as string;

describe('the HubSpot project files', () => {
  test('hsproject.json: platform 2025.2, its source folder exists', () => {
    assert.equal(project.platformVersion, '2025.2');
    assert.ok(existsSync(src));
  });

  test('every *-hsmeta.json parses, with a unique uid and a known type; one app, one card, one action', () => {
    assert.deepEqual(metas.map((m) => m.meta.type).sort(), ['app', 'card', 'workflow-action']);
    const uids = metas.map((m) => m.meta.uid);
    assert.equal(new Set(uids).size, uids.length, 'uids are unique');
    for (const { file, meta } of metas) assert.match(meta.uid, /^[A-Za-z0-9_-]{1,64}$/, file);
  });

  test('the app: OAuth with the scopes Chaseline asks for, redirect to Chaseline’s callback', () => {
    assert.equal(appConfig.auth.type, 'oauth');
    assert.deepEqual([...appConfig.auth.requiredScopes].sort(), [...HUBSPOT_SCOPES].sort());
    assert.deepEqual(appConfig.auth.redirectUrls, [`${BASE}/plugins/hubspot/oauth/callback`]);
  });

  test('the card: on contact records, its entrypoint exists, and every URL it fetches is permitted', async () => {
    assert.deepEqual(card.objectTypes, ['contacts']);
    assert.equal(card.location, 'crm.record.tab');
    assert.ok(existsSync(path.join(src, card.entrypoint)), card.entrypoint);
    const { chaselineApi, CHASELINE_BASE_URL } = await import('../src/app/cards/chaseline.ts');
    assert.equal(CHASELINE_BASE_URL, BASE, 'the card fetches the base the app permits');
    const api = chaselineApi();
    for (const url of [api.chasesUrl('1'), api.campaignsUrl(), api.startUrl()]) {
      assert.ok(
        (appConfig.permittedUrls.fetch as string[]).some((p) => url.startsWith(`${p}/`)),
        `${url} is not in permittedUrls.fetch`,
      );
    }
  });

  test('the workflow action: published, on contacts, asks for the properties Chaseline reads, outputs what Chaseline completes it with', () => {
    assert.equal(action.isPublished, true);
    assert.deepEqual(action.objectTypes, ['CONTACT']);
    for (const p of ['phone', 'firstname', 'lastname']) assert.ok(action.objectRequestOptions.properties.includes(p), p);
    assert.deepEqual(
      action.inputFields.map((f: { typeDefinition: { name: string } }) => f.typeDefinition.name),
      ['campaignId'],
    );
    const completed = Object.keys(
      completionOutputFields({ callbackId: 'x', succeeded: true, outcome: 'o', intent: null, recoveredRevenue: null, currency: null }),
    ).filter((k) => !k.startsWith('hs_'));
    assert.deepEqual(action.outputFields.map((f: { typeDefinition: { name: string } }) => f.typeDefinition.name).sort(), completed.sort());
    assert.equal(action.labels.en.actionName, 'Start Chaseline chase');
  });
});

describe('the project’s URLs are routes Chaseline serves', () => {
  let app: TestApp;
  let hubspot: HubspotSim;
  before(async () => {
    hubspot = await startHubspotSim({ rateLimits: false });
    app = await testEngineApp({
      worker: false,
      apps: (url) => ({
        hubspot: {
          clientId: hubspot.clientId,
          clientSecret: hubspot.clientSecret,
          redirectUri: `${url}/plugins/hubspot/oauth/callback`,
          apiBaseUrl: hubspot.url,
        },
      }),
    });
  });
  after(async () => {
    await hubspot?.close();
    await app?.close();
  });
  const onServer = (url: string) => url.replace(BASE, app.url);

  test('actionUrl and optionsUrl: signed requests reach their handlers (the portal is not installed here: 404 naming portalId, not the path)', async () => {
    const run = await hubspot.runWorkflowAction({
      actionUrl: onServer(action.actionUrl),
      objectId: 1,
      properties: {},
      inputFields: { campaignId: '00000000-0000-4000-8000-000000000000' },
    });
    assert.equal(run.status, 404, JSON.stringify(run.json));
    assert.equal(run.json.field, 'portalId');
    const options = await hubspot.fetchActionOptions({ optionsUrl: onServer(action.inputFields[0].typeDefinition.optionsUrl), inputFieldName: 'campaignId' });
    assert.equal(options.status, 404);
    assert.equal(options.json.field, 'portalId');
  });

  test('the OAuth redirect URL is the callback (without a code: 400 naming it)', async () => {
    const res = await fetch(onServer(appConfig.auth.redirectUrls[0]));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).field, 'code');
  });
});
