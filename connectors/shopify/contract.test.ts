// The Shopify mapping reads only fields Shopify sends: every field its payload schemas
// declare (all the mapping can read: the parsed types have no other keys) is looked up in
// the vendor's own JSON schema of each topic it parses (sim/contracts/shopify), with the
// types the vendor allows there. A misspelt or invented field name fails here, not silently
// in production. And consent given at checkout reaches the commerce event, from the
// vendor's sample and from the simulator's webhooks alike.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { startShopifySim } from '../../sim/shopify/index.ts';
import { startReceiver } from '../../sim/shopify/testing.ts';
import { loadSamples, loadSchemas, type Topic } from '../../sim/shopify/vendor.ts';
import { checkoutEvent } from './mapping.ts';
import { PAYLOAD_TOPICS } from './schemas.ts';

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';
/** A field the mapping reads: its path (`customer.phone`, `line_items[].price`), the JSON types it accepts, whether it may be absent. */
interface Read {
  path: string;
  accepts: Set<JsonType>;
  optional: boolean;
}

/**
 * Fields the vendor's schema lacks that Shopify does send: the schemas were inferred from
 * Shopify's example payloads, and the customers/update example has no SMS consent, which the
 * Customer resource carries (https://shopify.dev/docs/api/admin-rest/latest/resources/customer,
 * `sms_marketing_consent`). Each entry must still be missing (the test says when the schema
 * catches up) and still be read.
 */
const NOT_IN_VENDOR_SCHEMA: Partial<Record<Topic, string[]>> = {
  'customers/update': ['sms_marketing_consent', 'sms_marketing_consent.state'],
};

type ZodNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/** Every field a zod schema declares, depth first. Refuses objects that pass unknown keys through (the mapping could read undeclared fields). */
function declared(node: ZodNode, path = '', optional = false, nullable = false, out: Read[] = []): Read[] {
  const def = node._zod.def;
  const inner = def.innerType as ZodNode | undefined;
  const accepts = (types: JsonType[]) => new Set<JsonType>([...types, ...(nullable ? (['null'] as const) : [])]);
  switch (def.type) {
    case 'optional':
    case 'default':
      return declared(inner!, path, true, nullable, out);
    case 'nullable':
      return declared(inner!, path, optional, true, out);
    case 'object': {
      assert.equal(def.catchall, undefined, `${path || 'the payload'}: a schema that keeps unknown keys lets the mapping read fields it does not declare`);
      if (path) out.push({ path, accepts: accepts(['object']), optional });
      for (const [key, child] of Object.entries(def.shape as Record<string, ZodNode>)) declared(child, path ? `${path}.${key}` : key, optional, false, out);
      return out;
    }
    case 'array':
      out.push({ path, accepts: accepts(['array']), optional });
      return declared(def.element as ZodNode, `${path}[]`, optional, false, out);
    default:
      out.push({ path, accepts: accepts(leafTypes(node)), optional });
      return out;
  }
}

function leafTypes(node: ZodNode): JsonType[] {
  const def = node._zod.def;
  switch (def.type) {
    case 'string':
      return ['string'];
    case 'boolean':
      return ['boolean'];
    case 'number': {
      const isInt = (def.checks as ZodNode[] | undefined)?.some((c) => String(c._zod.def.format ?? '').includes('int'));
      return isInt ? ['integer'] : ['number', 'integer'];
    }
    case 'union':
      return (def.options as ZodNode[]).flatMap(leafTypes);
    default:
      throw new Error(`a ${def.type} field: teach this test what JSON it accepts`);
  }
}

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema | boolean; anyOf?: JsonSchema[] };

/** The vendor schema's nodes at a path (several under anyOf); none when the schema lacks it. */
function at(schema: JsonSchema, path: string): JsonSchema[] {
  let nodes = [schema];
  for (const seg of path.split('.').flatMap((s) => (s.endsWith('[]') ? [s.slice(0, -2), '[]'] : [s]))) {
    nodes = nodes
      .flatMap((n) => [n, ...(n.anyOf ?? [])])
      .flatMap((n) => {
        if (seg === '[]') return typeof n.items === 'object' ? [n.items] : [];
        const child = n.properties?.[seg];
        return child ? [child] : [];
      });
  }
  return nodes;
}

function vendorTypes(nodes: JsonSchema[]): JsonType[] {
  return nodes.flatMap((n) => {
    const own = n.type === undefined ? (n.properties ? ['object'] : []) : [n.type].flat();
    return [...own, ...vendorTypes(n.anyOf ?? [])] as JsonType[];
  });
}

const schemas = loadSchemas();

test('every field the Shopify mapping reads is in the vendor schema of each topic it parses, with a type it accepts', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const { name, schema, topics } of PAYLOAD_TOPICS) {
    for (const read of declared(schema as unknown as ZodNode)) {
      const found = topics.filter((t) => at(schemas[t] as JsonSchema, read.path).length || NOT_IN_VENDOR_SCHEMA[t]?.includes(read.path));
      // A field the payload must have is in every topic; one that may be absent in at least one (shop/redact has no customer).
      if (read.optional ? !found.length : found.length < topics.length) {
        problems.push(`${name}.${read.path}: not in the schema of ${topics.filter((t) => !found.includes(t)).join(', ')}`);
        continue;
      }
      for (const topic of found) {
        const allowed = vendorTypes(at(schemas[topic] as JsonSchema, read.path));
        const refused = allowed.filter((t) => !read.accepts.has(t) && !(t === 'integer' && read.accepts.has('number')));
        if (refused.length) problems.push(`${name}.${read.path}: ${topic} may send ${refused.join(', ')}, which the mapping refuses`);
      }
      checked++;
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 40, `the walk found the fields (${checked})`);
});

test('the fields known to be missing from the vendor schema are still missing, and still read', () => {
  for (const [topic, paths] of Object.entries(NOT_IN_VENDOR_SCHEMA) as [Topic, string[]][]) {
    const reads = PAYLOAD_TOPICS.filter((p) => (p.topics as readonly string[]).includes(topic)).flatMap((p) =>
      declared(p.schema as unknown as ZodNode).map((r) => r.path),
    );
    for (const path of paths) {
      assert.equal(at(schemas[topic] as JsonSchema, path).length, 0, `${topic} now has ${path}: drop it from NOT_IN_VENDOR_SCHEMA`);
      assert.ok(reads.includes(path), `${path} is no longer read for ${topic}: drop it from NOT_IN_VENDOR_SCHEMA`);
    }
  }
});

test('this check would catch the field the mapping used to read', () => {
  const misspelt = z.object({ buyer_accepts_sms: z.boolean().nullish() });
  const [read] = declared(misspelt as unknown as ZodNode);
  assert.equal(at(schemas['checkouts/create'] as JsonSchema, read!.path).length, 0, 'Shopify never sent buyer_accepts_sms');
  assert.equal(at(schemas['checkouts/create'] as JsonSchema, 'buyer_accepts_sms_marketing').length, 1);
});

test('SMS consent given at checkout is an opt-in; not ticking the box is no opt-out', () => {
  const sample = loadSamples()['checkouts/create'];
  assert.equal(sample.buyer_accepts_sms_marketing, false, 'the vendor sample: the box not ticked');
  const base = { ...sample, customer: { ...(sample.customer as object), sms_marketing_consent: null } };
  assert.equal(checkoutEvent('demo.myshopify.com', base).smsConsent, null, 'nothing said: no consent recorded, and no opt-out');
  assert.equal(checkoutEvent('demo.myshopify.com', { ...base, buyer_accepts_sms_marketing: true }).smsConsent, 'subscribed');
  // The customer's own consent state says more than one checkout's box.
  const unsubscribed = { ...base, buyer_accepts_sms_marketing: true, customer: { ...base.customer, sms_marketing_consent: { state: 'unsubscribed' } } };
  assert.equal(checkoutEvent('demo.myshopify.com', unsubscribed).smsConsent, 'unsubscribed');
});

test("the simulator's checkout webhooks carry the buyer's SMS consent where the mapping reads it", async () => {
  const app = await startReceiver();
  const sim = await startShopifySim({ webhookUrl: app.url });
  try {
    await sim.createCheckout({ phone: '+14155550123', buyerAcceptsSmsMarketing: true });
    await sim.createCheckout({ phone: '+14155550124', buyerAcceptsSmsMarketing: false });
    await sim.settled();
    const events = app.received
      .filter((r) => r.headers['x-shopify-topic'] === 'checkouts/create')
      .map((r) => checkoutEvent(sim.shop, JSON.parse(r.raw.toString('utf8'))));
    assert.deepEqual(
      events.map((e) => [e.phone?.raw, e.smsConsent]),
      [
        ['+14155550123', 'subscribed'],
        ['+14155550124', null],
      ],
    );
  } finally {
    await sim.close();
    await app.close();
  }
});
