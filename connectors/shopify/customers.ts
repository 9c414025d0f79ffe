/**
 * One customer read from the store (Admin GraphQL `customer`, cost 1): the number and name a
 * chase needs when something other than a checkout (a Flow action) names only the customer.
 * https://shopify.dev/docs/api/admin-graphql/latest/queries/customer
 */
import { AppError } from '../../core/errors.ts';
import type { AdminApi } from './admin.ts';
import { gidOf } from './writeback.ts';

const CUSTOMER = `query ChaselineCustomer($id: ID!) { customer(id: $id) { id firstName lastName phone } }`;

interface CustomerNode {
  id: string;
  firstName: string | null;
  lastName: string | null;
  /** E.164: Shopify keeps a customer's number normalised. */
  phone: string | null;
}

export interface StoreCustomer {
  /** The numeric id, as the store's webhooks carry it (the contact's CRM reference). */
  id: string;
  phone: { raw: string; country: string | null } | null;
  name: string | null;
}

/** The customer, or null when the store has none with that id. */
export async function fetchCustomer(admin: AdminApi, customerId: string): Promise<StoreCustomer | null> {
  const gid = gidOf('Customer', customerId);
  if (!gid) throw new AppError('VALIDATION', 'is not a Shopify customer id (a number or gid://shopify/Customer/…)', { field: 'customer_id' });
  const data = await admin.request<{ customer: CustomerNode | null }>(CUSTOMER, { id: gid });
  const c = data.customer;
  if (!c) return null;
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return {
    id: gid.split('/').pop()!,
    phone: c.phone ? { raw: c.phone, country: null } : null,
    name: name || null,
  };
}
