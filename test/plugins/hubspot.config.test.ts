// The HubSpot app's environment: client id and secret go together (a start-up error names the
// missing one); with both, the app's OAuth redirect is PUBLIC_BASE_URL's callback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig, vendorApps } from '../../api/config.ts';

test('HUBSPOT_CLIENT_ID without HUBSPOT_CLIENT_SECRET stops start-up naming the secret', () => {
  assert.throws(
    () => loadConfig({ HUBSPOT_CLIENT_ID: 'abc' }, { carrier: false }),
    /HUBSPOT_CLIENT_SECRET: HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET go together/,
  );
});

test('with both, the HubSpot app redirects to PUBLIC_BASE_URL’s callback; without, there is no app', () => {
  const config = loadConfig(
    { HUBSPOT_CLIENT_ID: 'abc', HUBSPOT_CLIENT_SECRET: 'secret-of-the-app', PUBLIC_BASE_URL: 'https://chase.example.com/' },
    { carrier: false },
  );
  assert.deepEqual(vendorApps(config), {
    hubspot: { clientId: 'abc', clientSecret: 'secret-of-the-app', redirectUri: 'https://chase.example.com/plugins/hubspot/oauth/callback' },
  });
  assert.deepEqual(vendorApps(loadConfig({}, { carrier: false })), {});
});
