// The JWT bearer token endpoint: a well-signed assertion for a pre-authorised user gets a
// session the REST API accepts; every flaw gets Salesforce's own 400 answer; expired sessions
// answer 401 INVALID_SESSION_ID. Also the Lead's IsConverted, which incremental syncs filter on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { startSalesforceSim, type SalesforceSim } from './index.ts';
import { simConnection } from './sdk.ts';

let sim: SalesforceSim;
const CLIENT_ID = '3MVG9test.connected.app.consumer.key';
const USER = 'integration@acme.example';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

before(async () => {
  sim = await startSalesforceSim();
  sim.registerConnectedApp({ clientId: CLIENT_ID, certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(), usernames: [USER] });
});
after(() => sim.close());

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function assertion(claims: Record<string, unknown>, key: KeyObject = privateKey, alg = 'RS256'): string {
  const body = `${b64({ alg })}.${b64({ iss: CLIENT_ID, sub: USER, aud: sim.url, exp: Math.floor(Date.now() / 1000) + 180, ...claims })}`;
  return `${body}.${sign('sha256', Buffer.from(body), key).toString('base64url')}`;
}
async function token(assertionText: string, grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
  const res = await fetch(`${sim.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grant, assertion: assertionText }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

test('a signed assertion gets an access token and the instance URL; the session works and the grant is not counted', async () => {
  const { status, body } = await token(assertion({}));
  assert.equal(status, 200);
  assert.match(body.access_token!, /^00D[0-9A-Za-z]{12}!/);
  assert.deepEqual([body.instance_url, body.token_type, body.id], [sim.url, 'Bearer', `${sim.url}/id/${sim.orgId}/${body.id!.split('/').at(-1)}`]);
  assert.equal(sim.apiUsage().used, 0);
  sim.insert('Lead', [
    { LastName: 'Hopper', Company: 'Navy' },
    { LastName: 'Lovelace', Company: 'Analytical', IsConverted: true },
  ]);
  const conn = await simConnection(sim, '62.0', body.access_token);
  const open = await conn.query('SELECT Id, LastName FROM Lead WHERE IsConverted = false');
  assert.deepEqual(
    open.records.map((r) => r.LastName),
    ['Hopper'],
  );
  assert.equal(sim.apiUsage().used, 1);
});

test('flawed assertions get Salesforce’s 400 answers', async () => {
  const cases: Array<[string, string, string]> = [
    [assertion({}, other), 'invalid_grant', 'invalid assertion'],
    [assertion({ iss: '3MVG9someone.else' }), 'invalid_client_id', 'client identifier invalid'],
    [assertion({ aud: 'https://example.com' }), 'invalid_grant', 'audience is invalid'],
    [assertion({ exp: Math.floor(Date.now() / 1000) - 1 }), 'invalid_grant', 'expired authorization code'],
    [assertion({ sub: 'someone@acme.example' }), 'invalid_grant', "user hasn't approved this consumer"],
    [assertion({}, privateKey, 'HS256'), 'invalid_grant', 'invalid assertion'],
    ['not-a-jwt', 'invalid_grant', 'invalid assertion'],
  ];
  for (const [text, error, description] of cases) {
    assert.deepEqual(await token(text), { status: 400, body: { error, error_description: description } }, description);
  }
  assert.deepEqual(await token(assertion({}), 'password'), {
    status: 400,
    body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
  });
  // Salesforce's own login URL is an audience a production org accepts.
  assert.equal((await token(assertion({ aud: 'https://login.salesforce.com' }))).status, 200);
});

test('expired sessions answer 401 INVALID_SESSION_ID; a new grant (or the new default token) works', async () => {
  const issued = (await token(assertion({}))).body.access_token!;
  const before = sim.accessToken;
  sim.expireSessions();
  assert.notEqual(sim.accessToken, before);
  for (const old of [issued, before]) {
    const res = await fetch(`${sim.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${old}` } });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  }
  const fresh = (await token(assertion({}))).body.access_token!;
  for (const good of [fresh, sim.accessToken]) {
    assert.equal((await fetch(`${sim.url}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${good}` } })).status, 200);
  }
});
