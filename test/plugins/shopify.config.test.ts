/**
 * The Shopify app's own files, as `shopify app deploy` reads them: shopify.app.toml and the Flow
 * action's shopify.extension.toml parse; the scopes are the ones the install asks for; the API
 * version is the connector's; every subscribed topic is one the webhook acts on and every topic
 * it acts on is subscribed; and each URL is a route Chaseline answers (a signed-request 401, not
 * a 404).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parse } from 'smol-toml';
import { APP_SCOPES } from '../../connectors/shopify/app/app.ts';
import { SHOPIFY_API_VERSION } from '../../connectors/shopify/admin.ts';
import { HANDLED_TOPICS } from '../../webhooks/shopify.ts';
import { testEngineApp, type TestApp } from '../support/app.ts';
import { appCredentials } from './shopify.support.ts';

const read = (file: string) => parse(readFileSync(new URL(`../../plugins/shopify/${file}`, import.meta.url), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const appToml = read('shopify.app.toml');
const flowToml = read('extensions/start-chase/shopify.extension.toml');
const COMPLIANCE = ['customers/data_request', 'customers/redact', 'shop/redact'];

let app: TestApp;
before(async () => void (app = await testEngineApp({ shopify: appCredentials() })));
after(() => app.close());

/** The path of one of the app's URLs on the Chaseline the placeholder host stands for. */
const pathOf = (url: string) => {
  const u = new URL(url);
  assert.equal(u.protocol, 'https:', `${url}: Shopify wants https`);
  assert.equal(u.host, 'chaseline.example.com', `${url}: one placeholder host, replaced at deploy`);
  return u.pathname;
};

describe('shopify.app.toml', () => {
  test('is an embedded app asking for the scopes the install asks for, on the connector’s API version', () => {
    assert.equal(appToml.embedded, true);
    assert.equal(typeof appToml.client_id, 'string');
    assert.equal(appToml.access_scopes.scopes, APP_SCOPES.join(','));
    assert.equal(appToml.webhooks.api_version, SHOPIFY_API_VERSION);
  });

  test('subscribes to exactly the topics the webhook acts on, and to the three compliance topics', () => {
    const subs = appToml.webhooks.subscriptions as { topics?: string[]; compliance_topics?: string[]; uri: string }[];
    const topics = subs.flatMap((s) => s.topics ?? []);
    const compliance = subs.flatMap((s) => s.compliance_topics ?? []);
    assert.deepEqual(compliance.sort(), COMPLIANCE);
    assert.deepEqual([...topics, ...compliance].sort(), [...HANDLED_TOPICS].sort());
    for (const s of subs) assert.equal(pathOf(s.uri), '/webhooks/shopify');
  });

  test('its URLs are routes Chaseline answers', async () => {
    const page = await fetch(app.url + pathOf(appToml.application_url));
    assert.ok([200, 503].includes(page.status), `the embedded page: ${page.status}`);
    for (const url of appToml.auth.redirect_urls as string[]) {
      // Reached without Shopify's signature: refused, which a missing route would not be.
      assert.equal((await fetch(app.url + pathOf(url))).status, 401, url);
    }
    const webhook = await fetch(app.url + pathOf(appToml.webhooks.subscriptions[0].uri), {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', 'x-shopify-shop-domain': 'x.myshopify.com' },
    });
    assert.equal(webhook.status, 401);
  });
});

describe('the Flow action extension', () => {
  test('is a flow_action with the customer and the campaign, run at a route Chaseline answers', async () => {
    const [ext] = flowToml.extensions as { type: string; handle: string; name: string; runtime_url: string }[];
    assert.equal(ext?.type, 'flow_action');
    assert.equal(ext.name, 'Start Chaseline chase');
    assert.ok(/^[a-z0-9-]{1,30}$/.test(ext.handle), 'a handle Shopify accepts');
    const fields = flowToml.settings.fields as { type: string; key?: string; required?: boolean }[];
    assert.ok(fields.some((f) => f.type === 'customer_reference' && f.required));
    assert.ok(fields.some((f) => f.key === 'campaign' && f.type === 'single_line_text_field' && f.required));
    const res = await fetch(app.url + pathOf(ext.runtime_url), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 401);
  });
});
