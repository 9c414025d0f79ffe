// Where events may go: private addresses are refused by name when a subscription is saved, and
// again by the addresses a name resolves to at delivery (a DNS answer may change after the check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPrivateAddress, publicOnlyLookup } from './urls.ts';

test('loopback, private, link-local and IPv4-mapped addresses are private; public ones are not', { timeout: 5_000 }, () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '::1',
    '[::1]',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
  ]) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', 'hooks.example.com']) assert.equal(isPrivateAddress(a), false, a);
});

test('a name that resolves to a private address is refused at connection time', { timeout: 5_000 }, async () => {
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
  assert.equal(err?.code, 'EPRIVATEADDRESS');
  assert.match(err!.message, /localhost resolves to a private address/);
});
