// The simulated OAuth install and callbacks API through the official client, as the product
// uses them: a consent's code is exchanged once (a second use is BAD_AUTH_CODE), the token
// names its portal, expires, and is renewed with the refresh token; a revoked refresh token
// is BAD_REFRESH_TOKEN; a completion is recorded for a callback a workflow waits on, and
// refused for one it does not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@hubspot/api-client';
import { startHubspotSim, type HubspotSim } from './index.ts';

let sim: HubspotSim;
before(async () => {
  sim = await startHubspotSim({ rateLimits: false });
});
after(() => sim?.close());

const redirectUri = 'https://chase.example.com/plugins/hubspot/oauth/callback';
const consent = () => {
  const authorize = new URL('https://app.hubspot.com/oauth/authorize');
  authorize.search = new URLSearchParams({ client_id: sim.clientId, redirect_uri: redirectUri, scope: 'oauth automation', state: 's1' }).toString();
  const back = new URL(sim.consent(authorize.toString()));
  assert.equal(back.searchParams.get('state'), 's1');
  return back.searchParams.get('code')!;
};
const oauth = () => new Client({ basePath: sim.url }).oauth;
const status = (err: unknown) => (err as { code?: number }).code;
const reason = (err: unknown) => (err as { body?: { status?: string } }).body?.status;

test('code → tokens once; the token names the portal and works; it expires and is renewed', async () => {
  const code = consent();
  const tokens = await oauth().tokensApi.create('authorization_code', code, redirectUri, sim.clientId, sim.clientSecret);
  assert.equal(tokens.expiresIn, 1800);
  await assert.rejects(
    oauth().tokensApi.create('authorization_code', code, redirectUri, sim.clientId, sim.clientSecret),
    (err) => status(err) === 400 && reason(err) === 'BAD_AUTH_CODE',
  );
  const info = await oauth().accessTokensApi.get(tokens.accessToken);
  assert.equal(info.hubId, sim.portalId);
  assert.deepEqual(info.scopes, ['oauth', 'automation']);
  const api = new Client({ accessToken: tokens.accessToken, basePath: sim.url });
  await api.crm.contacts.basicApi.getPage(1);
  sim.expireAccessTokens();
  await assert.rejects(api.crm.contacts.basicApi.getPage(1), (err) => status(err) === 401);
  const renewed = await oauth().tokensApi.create('refresh_token', undefined, undefined, sim.clientId, sim.clientSecret, tokens.refreshToken);
  await new Client({ accessToken: renewed.accessToken, basePath: sim.url }).crm.contacts.basicApi.getPage(1);
  sim.revokeRefreshTokens();
  await assert.rejects(
    oauth().tokensApi.create('refresh_token', undefined, undefined, sim.clientId, sim.clientSecret, tokens.refreshToken),
    (err) => reason(err) === 'BAD_REFRESH_TOKEN',
  );
});

test('a wrong client secret or redirect URI gets no token', async () => {
  await assert.rejects(
    oauth().tokensApi.create('authorization_code', consent(), redirectUri, sim.clientId, 'wrong'),
    (err) => reason(err) === 'BAD_CLIENT_SECRET',
  );
  await assert.rejects(
    oauth().tokensApi.create('authorization_code', consent(), 'https://elsewhere.example.com/cb', sim.clientId, sim.clientSecret),
    (err) => reason(err) === 'BAD_REDIRECT_URI',
  );
});

test('callbacks: completing one a workflow waits on is recorded; an unknown one is 404', async () => {
  const tokens = await oauth().tokensApi.create('authorization_code', consent(), redirectUri, sim.clientId, sim.clientSecret);
  const api = new Client({ accessToken: tokens.accessToken, basePath: sim.url });
  const receiver = await import('node:http').then(({ createServer }) => {
    const server = createServer((_req, res) => res.end(JSON.stringify({ outputFields: { hs_execution_state: 'BLOCK' } })));
    return new Promise<import('node:http').Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  });
  const { port } = receiver.address() as import('node:net').AddressInfo;
  const run = await sim.runWorkflowAction({ actionUrl: `http://127.0.0.1:${port}/action`, objectId: 1, properties: {}, inputFields: {} });
  receiver.close();
  await api.automation.actions.callbacksApi.complete(run.callbackId, { outputFields: { hs_execution_state: 'SUCCESS', outcome: 'interested' } });
  assert.deepEqual(
    sim.callbackCompletions().map((c) => [c.callbackId, c.outputFields.outcome]),
    [[run.callbackId, 'interested']],
  );
  await assert.rejects(
    api.automation.actions.callbacksApi.complete(run.callbackId, { outputFields: { hs_execution_state: 'SUCCESS' } }),
    (err) => status(err) === 404,
    'completed already',
  );
  await assert.rejects(
    api.automation.actions.callbacksApi.complete('ap-1-2-3-0', { outputFields: { hs_execution_state: 'SUCCESS' } }),
    (err) => status(err) === 404,
  );
});
