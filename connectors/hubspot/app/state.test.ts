// The install's state: it names the tenant that asked, and only for ten minutes; a state
// changed in any way, or signed with another secret, names no one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATE_TTL_MS, signState, verifyState } from './state.ts';

const secret = 'the-app-client-secret';

test('a fresh state names its tenant', () => {
  const { state, expiresAt } = signState(secret, 'tenant-a');
  assert.equal(verifyState(secret, state), 'tenant-a');
  assert.ok(Math.abs(expiresAt.getTime() - (Date.now() + STATE_TTL_MS)) < 1000);
});

test('an expired, altered or foreign state names no one', () => {
  const now = Date.now();
  const { state } = signState(secret, 'tenant-a', now - STATE_TTL_MS - 1);
  assert.equal(verifyState(secret, state, now), null, 'expired');
  const fresh = signState(secret, 'tenant-a').state;
  const [payload, mac] = fresh.split('.');
  const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), t: 'tenant-b' })).toString('base64url');
  assert.equal(verifyState(secret, `${other}.${mac}`), null, 'tenant changed');
  assert.equal(verifyState('another-secret', fresh), null, 'another app');
  assert.equal(verifyState(secret, `${fresh}.x`), null);
  assert.equal(verifyState(secret, 'garbage'), null);
});
