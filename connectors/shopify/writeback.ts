/**
 * Chaseline's write-backs to a store, one item at a time (GraphQL has no batch here): tags
 * on the customer (tagsAdd), a note appended to the recovered order (orderUpdate), an SMS
 * opt-out as the customer's SMS marketing consent. A store keeps no call or message
 * activities: those are skipped. Each write is safe to repeat, as the outbox retries a whole
 * batch: tags are a set, a note already on the order is not added again, consent is a state.
 * https://shopify.dev/docs/api/admin-graphql/latest/mutations/tagsAdd
 */
import type { ChaseResult, WriteBack, WriteBackResult } from '../../core/ports.ts';
import type { AdminApi } from './admin.ts';

const TAGS_ADD = `mutation ChaselineTags($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}`;
const ORDER_NOTE = `query ChaselineOrderNote($id: ID!) { order(id: $id) { id note } }`;
const ORDER_UPDATE = `mutation ChaselineOrderNoteUpdate($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } }
}`;
// Up to 25 metafields per call; each is created or replaced (set) on the customer.
const METAFIELDS_SET = `mutation ChaselineResult($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { key namespace } userErrors { field message code } }
}`;
const SMS_OPT_OUT = `mutation ChaselineSmsOptOut($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message code } }
}`;

type UserErrors = { message: string }[];

/**
 * A resource's GID from the id Chaseline stored: the numeric id its webhooks carry (see
 * mapping.ts) or already a GID; null for anything else.
 */
export function gidOf(type: 'Customer' | 'Order', id: string): string | null {
  const s = id.trim();
  if (/^\d+$/.test(s)) return `gid://shopify/${type}/${s}`;
  return new RegExp(`^gid://shopify/${type}/\\d+$`).test(s) ? s : null;
}

/**
 * The order's note with ours on a line of its own after the merchant's, or null when ours
 * is already there (a retried write).
 */
export function appendNote(existing: string | null, note: string): string | null {
  const ours = note.trim();
  if (!ours) return null;
  const theirs = existing ?? '';
  if (`\n${theirs.replace(/\r\n/g, '\n')}\n`.includes(`\n${ours}\n`)) return null;
  if (!theirs.trim()) return ours;
  return theirs.endsWith('\n') ? `${theirs}${ours}` : `${theirs}\n${ours}`;
}

const outcome = (errors: UserErrors | undefined, wrote: unknown, missing: string): WriteBackResult => {
  if (errors?.length) return { status: 'rejected', error: errors.map((e) => e.message).join('; ') };
  return wrote ? { status: 'done' } : { status: 'rejected', error: missing };
};

async function addTags(api: AdminApi, externalId: string, tags: string[]): Promise<WriteBackResult> {
  const id = gidOf('Customer', externalId);
  if (!id) return { status: 'rejected', error: 'not a Shopify customer id' };
  if (!tags.length) return { status: 'done' };
  const data = await api.request<{ tagsAdd: { node: { id: string } | null; userErrors: UserErrors } | null }>(TAGS_ADD, { id, tags });
  return outcome(data.tagsAdd?.userErrors, data.tagsAdd?.node, 'customer not found');
}

async function noteOrder(api: AdminApi, orderId: string, note: string): Promise<WriteBackResult> {
  const id = gidOf('Order', orderId);
  if (!id) return { status: 'rejected', error: 'not a Shopify order id' };
  // orderUpdate replaces the note: read the merchant's first, and keep it.
  const { order } = await api.request<{ order: { id: string; note: string | null } | null }>(ORDER_NOTE, { id });
  if (!order) return { status: 'rejected', error: 'order not found' };
  const next = appendNote(order.note, note);
  if (next === null) return { status: 'done' };
  const data = await api.request<{ orderUpdate: { order: { id: string } | null; userErrors: UserErrors } | null }>(ORDER_UPDATE, { input: { id, note: next } });
  return outcome(data.orderUpdate?.userErrors, data.orderUpdate?.order, 'order not found');
}

async function optOutSms(api: AdminApi, externalId: string): Promise<WriteBackResult> {
  const customerId = gidOf('Customer', externalId);
  if (!customerId) return { status: 'rejected', error: 'not a Shopify customer id' };
  // marketingOptInLevel is optional in CustomerSmsMarketingConsentInput and belongs to
  // subscribing: left out, the customer's recorded level stays as it was.
  const data = await api.request<{ customerSmsMarketingConsentUpdate: { customer: { id: string } | null; userErrors: UserErrors } | null }>(SMS_OPT_OUT, {
    input: { customerId, smsMarketingConsent: { marketingState: 'UNSUBSCRIBED' } },
  });
  const r = data.customerSmsMarketingConsentUpdate;
  return outcome(r?.userErrors, r?.customer, 'customer not found');
}

/**
 * The customer's chase result as metafields in the `chaseline` namespace (last outcome, last
 * chase time, attempts, last campaign), which Shopify's reports and segments can read once the
 * merchant pins their definitions. Setting a value is idempotent: a retry writes the same.
 * https://shopify.dev/docs/api/admin-graphql/latest/mutations/metafieldsSet
 */
export const RESULT_NAMESPACE = 'chaseline';

export function resultMetafields(ownerId: string, r: ChaseResult) {
  return [
    { ownerId, namespace: RESULT_NAMESPACE, key: 'last_outcome', type: 'single_line_text_field', value: r.outcome },
    { ownerId, namespace: RESULT_NAMESPACE, key: 'last_chase_at', type: 'date_time', value: r.endedAt },
    { ownerId, namespace: RESULT_NAMESPACE, key: 'attempts', type: 'number_integer', value: String(r.attempts) },
    { ownerId, namespace: RESULT_NAMESPACE, key: 'last_campaign', type: 'single_line_text_field', value: r.campaign.slice(0, 255) },
  ];
}

async function setResult(api: AdminApi, externalId: string, result: ChaseResult): Promise<WriteBackResult> {
  const ownerId = gidOf('Customer', externalId);
  if (!ownerId) return { status: 'rejected', error: 'not a Shopify customer id' };
  const data = await api.request<{ metafieldsSet: { metafields: { key: string }[] | null; userErrors: UserErrors } | null }>(METAFIELDS_SET, {
    metafields: resultMetafields(ownerId, result),
  });
  return outcome(data.metafieldsSet?.userErrors, data.metafieldsSet?.metafields?.length, 'customer not found');
}

function writeOne(api: AdminApi, item: WriteBack): Promise<WriteBackResult> | WriteBackResult {
  switch (item.kind) {
    case 'tags':
      return addTags(api, item.externalId, item.add);
    case 'order-note':
      return noteOrder(api, item.orderId, item.note);
    case 'opt-out':
      // A store records SMS marketing consent only; a voice opt-out stays Chaseline's.
      return item.channel === 'voice' ? { status: 'skipped' } : optOutSms(api, item.externalId);
    case 'chase-result':
      return setResult(api, item.externalId, item.result);
    case 'call':
    case 'sms':
    case 'callback-complete':
      return { status: 'skipped' };
  }
}

/** One result per item, in order; throws (an AppError) when Shopify fails as a whole. */
export async function writeBackToShopify(api: AdminApi, items: WriteBack[]): Promise<WriteBackResult[]> {
  const results: WriteBackResult[] = [];
  for (const item of items) results.push(await writeOne(api, item));
  return results;
}
