/**
 * What a store says about its customers: an SMS consent withdrawn becomes an SMS opt-out
 * (sticky: a later "subscribed" does not reopen it), and a redaction request erases the
 * person — or, for a shop, everyone who came from it.
 */
import type { Deps } from '../deps.ts';
import { STORE_SYSTEM, type CustomerEvent, type DataRequestEvent, type RawPhone, type RedactEvent } from './commerce.ts';
import { recordDataRequest } from '../privacy/requests.ts';
import { normalizePhone } from '../phone/phone.ts';
import { getTenant } from '../tenants/tenants.ts';
import { recordOptOuts, storedPhone } from '../consent/consent.ts';
import { eraseContacts } from '../privacy/privacy.ts';

/** The store's customers live in its CRM references under this system. */
const SYSTEM = STORE_SYSTEM;

async function e164Of(deps: Deps, tenantId: string, phone: RawPhone | null): Promise<string | null> {
  if (!phone) return null;
  const tenant = await getTenant(deps, tenantId);
  const p = normalizePhone(phone, tenant.defaultRegion);
  return p.valid ? p.e164 : null;
}

export async function applyCustomer(deps: Deps, tenantId: string, e: CustomerEvent): Promise<'opted-out' | 'unchanged'> {
  if (e.smsConsent !== 'unsubscribed') return 'unchanged';
  // The number the store has, else the one of the contact linked to this customer.
  let e164 = await e164Of(deps, tenantId, e.phone);
  if (!e164) {
    const { rows } = await deps.db.query<{ phone_enc: string | null }>(
      `select c.phone_enc from contact_crm_refs r join contacts c on c.tenant_id = r.tenant_id and c.id = r.contact_id
        where r.tenant_id = $1 and r.system = $2 and r.external_id = $3`,
      [tenantId, SYSTEM, e.customerId],
    );
    e164 = rows[0]?.phone_enc ? deps.pii.decrypt(rows[0].phone_enc) : null;
  }
  if (!e164) return 'unchanged';
  const [fresh] = await recordOptOuts(deps, tenantId, [
    { ...storedPhone(deps.pii, e164), channel: 'sms', source: 'crm', note: 'SMS marketing consent withdrawn at the store', origin: SYSTEM },
  ]);
  return fresh ? 'opted-out' : 'unchanged';
}

/** Erases the customer's contacts (by the store's customer id and by number), or every contact from the shop. */
export async function applyRedact(deps: Deps, tenantId: string, e: RedactEvent): Promise<number> {
  if (e.customerId === null) {
    const { rows } = await deps.db.query<{ contact_id: string }>(`select contact_id from contact_crm_refs where tenant_id = $1 and system = $2`, [
      tenantId,
      SYSTEM,
    ]);
    return eraseContacts(
      deps,
      tenantId,
      rows.map((r) => r.contact_id),
    );
  }
  return eraseContacts(deps, tenantId, await customerContacts(deps, tenantId, e.customerId, e.phone));
}

/** Compiles what Chaseline holds on the customer for the merchant to hand over (GET /v1/data-requests). */
export async function applyDataRequest(deps: Deps, tenantId: string, e: DataRequestEvent): Promise<void> {
  const contactIds = await customerContacts(deps, tenantId, e.customerId, e.phone);
  await recordDataRequest(deps, tenantId, { source: SYSTEM, externalId: e.requestId, contactIds });
}

/** The contacts that are this store customer's: linked to them, or with their number. */
async function customerContacts(deps: Deps, tenantId: string, customerId: string, phone: RawPhone | null): Promise<string[]> {
  const e164 = await e164Of(deps, tenantId, phone);
  const { rows } = await deps.db.query<{ id: string }>(
    `select contact_id as id from contact_crm_refs where tenant_id = $1 and system = $2 and external_id = $3
     union
     select id from contacts where tenant_id = $1 and $4::bytea is not null and phone_hash = $4`,
    [tenantId, SYSTEM, customerId, e164 ? deps.pii.phoneIndex(e164) : null],
  );
  return rows.map((r) => r.id);
}
