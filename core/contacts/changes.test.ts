/**
 * Last writer wins by the source's own change time: a CRM version older than what a contact
 * holds changes nothing (not even the number), a newer one wins, and writes without a time
 * (the API, an import) count as now.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getContact, upsertContact } from './contacts.ts';
import { tenantPerFile } from '../../test/support/tenant.ts';

const t = tenantPerFile();

const crm = { system: 'hubspot', externalId: '501' };
const at = (iso: string) => new Date(iso);

test('a CRM version older than the contact’s changes nothing; a newer one wins', async () => {
  const first = await upsertContact(
    t.deps,
    t.tenantId,
    { phone: '+14155550101', name: 'Ann Lee', tags: ['vip'], crm, changedAt: at('2026-11-01T10:00:00Z') },
    'crm',
  );
  // Edited in Chaseline afterwards (now).
  await upsertContact(t.deps, t.tenantId, { id: first.contact.id, phone: '+14155550101', name: 'Ann Lee-Smith' }, 'api');
  // A sync brings back the CRM's version from before that edit: it loses.
  await upsertContact(t.deps, t.tenantId, { phone: '+14155550199', name: 'Ann Lee', tags: ['old'], crm, changedAt: at('2026-11-01T11:00:00Z') }, 'crm');
  let held = await getContact(t.deps, t.tenantId, first.contact.id);
  assert.deepEqual([held.name, held.phone, held.tags], ['Ann Lee-Smith', '+14155550101', ['vip']]);
  // The CRM changes it later than that: it wins.
  await upsertContact(t.deps, t.tenantId, { phone: '+14155550102', name: 'Ann Smith', crm, changedAt: new Date(Date.now() + 60_000) }, 'crm');
  held = await getContact(t.deps, t.tenantId, first.contact.id);
  assert.deepEqual([held.name, held.phone], ['Ann Smith', '+14155550102']);
});

test('found by number rather than by CRM reference, an older version still loses, and the reference is kept', async () => {
  const made = await upsertContact(t.deps, t.tenantId, { phone: '+14155550201', name: 'Bo Chan' }, 'api');
  const synced = await upsertContact(
    t.deps,
    t.tenantId,
    { phone: '+14155550201', name: 'Bo', crm: { system: 'salesforce', externalId: '0035g00000XyZ01AAB' }, changedAt: at('2026-01-01T00:00:00Z') },
    'crm',
  );
  assert.equal(synced.contact.id, made.contact.id);
  assert.equal(synced.created, false);
  assert.equal(synced.contact.name, 'Bo Chan');
  assert.deepEqual(
    synced.contact.crm.map((r) => r.system),
    ['salesforce'],
    'linked to its CRM record all the same',
  );
});
