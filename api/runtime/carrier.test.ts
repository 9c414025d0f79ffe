import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { carrierMode, simulatorCredentials } from './carrier.ts';

test('processes starting at once over one data directory generate one simulator secret and all read it', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-secret-'));
  try {
    const all = await Promise.all(Array.from({ length: 6 }, () => simulatorCredentials(path.join(dir, 'data'))));
    assert.equal(all.filter((c) => c.created).length, 1, 'exactly one of them wrote it');
    assert.equal(new Set(all.map((c) => `${c.accountSid}:${c.authToken}`)).size, 1);
    assert.match(all[0]!.accountSid, /^AC[0-9a-f]{32}$/);
    assert.equal((await stat(all[0]!.file)).mode & 0o777, 0o600);
    const later = await simulatorCredentials(path.join(dir, 'data'));
    assert.equal(later.created, false);
    assert.equal(later.authToken, all[0]!.authToken);
    // Another installation gets another secret.
    assert.notEqual((await simulatorCredentials(path.join(dir, 'other'))).authToken, later.authToken);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged secret file stops the start naming the file, rather than signing with junk', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chaseline-secret-'));
  try {
    await writeFile(path.join(dir, 'simulator.secret'), 'not-a-secret\n');
    await assert.rejects(simulatorCredentials(dir), /simulator\.secret does not hold a simulator secret/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the carrier: Twilio with its credentials, the simulator without them or when asked for by name', () => {
  const twilio = { TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token' };
  assert.equal(carrierMode({ CHASELINE_CARRIER: undefined, ...twilio }), 'twilio');
  assert.equal(carrierMode({ CHASELINE_CARRIER: undefined, TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined }), 'simulator');
  assert.equal(carrierMode({ CHASELINE_CARRIER: 'simulator', ...twilio }), 'simulator');
});
