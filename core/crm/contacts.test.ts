/**
 * A CRM page stored at once: each record lands on its linked contact, else the one with its
 * number, else a new one; the newest version wins; a bad number is kept flagged; a number
 * that is another contact's does not move; do-not-call is a sticky voice opt-out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeCrmContacts } from './contacts.ts';
import { listContacts, upsertContact } from '../contacts/contacts.ts';
import { optOutState } from '../consent/consent.ts';
import type { CrmContact } from '../ports.ts';
import { tenantPerFile } from '../../test/support/tenant.ts';

const t = tenantPerFile();

const record = (externalId: string, phone: string | null, extra: Partial<CrmContact> = {}): CrmContact => ({
  externalId,
  phone: phone ? { raw: phone, country: null } : null,
  name: `Person ${externalId}`,
  tags: [],
  doNotCall: false,
  updatedAt: '2026-11-01T10:00:00.000Z',
  ...extra,
});
const contactOf = async (system: string, externalId: string) =>
  (await listContacts(t.deps, t.tenantId, { limit: 100, filter: { crmSystem: system } })).items.find((c) =>
    c.crm.some((r) => r.system === system && r.externalId === externalId),
  );

test('records land on new contacts, a bad number is kept flagged, a number already known is the same contact', async () => {
  const known = await upsertContact(t.deps, t.tenantId, { phone: '+14155550301', name: 'Known' }, 'api');
  const stored = await storeCrmContacts(t.deps, t.tenantId, 'hubspot', [
    record('1', '(415) 555-0302', { tags: ['vip', ' vip '] }),
    record('2', '+1 415 555 0301'),
    record('3', 'not a number'),
    record('4', null),
    record('5', null, { phone: { raw: '07911 123456', country: 'GB' } }),
  ]);
  assert.equal(stored, 5);
  assert.deepEqual([(await contactOf('hubspot', '1'))!.phone, (await contactOf('hubspot', '1'))!.tags], ['+14155550302', ['vip']]);
  assert.equal((await contactOf('hubspot', '2'))!.id, known.contact.id, 'found by number and linked');
  assert.equal((await contactOf('hubspot', '3'))!.phoneValid, false);
  assert.equal((await contactOf('hubspot', '4'))!.phoneValid, false);
  assert.equal((await contactOf('hubspot', '5'))!.phone, '+447911123456', 'read in the country the CRM gave');
});

test('the same number twice in a page is one contact, the newer record winning; an older version changes nothing', async () => {
  await storeCrmContacts(t.deps, t.tenantId, 'salesforce', [
    record('003A', '+14155550311', { name: 'Newer', updatedAt: '2026-11-02T10:00:00.000Z' }),
    record('00QA', '+14155550311', { name: 'Older', updatedAt: '2026-11-01T10:00:00.000Z' }),
  ]);
  const a = await contactOf('salesforce', '003A');
  const b = await contactOf('salesforce', '00QA');
  assert.equal(a!.id, b!.id);
  assert.equal(a!.name, 'Newer');
  await storeCrmContacts(t.deps, t.tenantId, 'salesforce', [record('003A', '+14155550311', { name: 'Stale', updatedAt: '2026-10-01T00:00:00.000Z' })]);
  assert.equal((await contactOf('salesforce', '003A'))!.name, 'Newer');
});

test('a record whose number became another contact’s keeps its own number, and the page still lands', async () => {
  await storeCrmContacts(t.deps, t.tenantId, 'hubspot', [record('21', '+14155550321'), record('22', '+14155550322')]);
  await storeCrmContacts(t.deps, t.tenantId, 'hubspot', [record('21', '+14155550322', { name: 'Moved', updatedAt: '2026-11-03T00:00:00.000Z' })]);
  const moved = await contactOf('hubspot', '21');
  assert.deepEqual([moved!.name, moved!.phone], ['Moved', '+14155550321']);
  assert.equal((await contactOf('hubspot', '22'))!.phone, '+14155550322');
});

test('do-not-call becomes a voice opt-out, and clearing it in the CRM does not reopen calls', async () => {
  await storeCrmContacts(t.deps, t.tenantId, 'hubspot', [record('31', '+14155550331', { doNotCall: true })]);
  const hash = t.deps.pii.phoneIndex('+14155550331');
  assert.deepEqual(await optOutState(t.deps.db, t.tenantId, hash), { voice: true, sms: false });
  await storeCrmContacts(t.deps, t.tenantId, 'hubspot', [record('31', '+14155550331', { doNotCall: false, updatedAt: '2026-11-05T00:00:00.000Z' })]);
  assert.deepEqual(await optOutState(t.deps.db, t.tenantId, hash), { voice: true, sms: false });
});
