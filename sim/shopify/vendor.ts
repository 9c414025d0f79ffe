// The vendor's own webhook contract (../shared/vendor/shopify): a JSON schema and a sample
// payload per topic. Payloads are built by overriding the sample, so every field Shopify
// sends that we do not model still arrives with a value of the right shape.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_VENDOR_DIR = process.env.CHASELINE_VENDOR_DIR
  ? `${process.env.CHASELINE_VENDOR_DIR.replace(/\/$/, '')}/shopify/`
  : fileURLToPath(new URL('../../../shared/vendor/shopify/', import.meta.url));

export const TOPICS = [
  'checkouts/create', 'checkouts/update', 'orders/create', 'orders/paid',
  'customers/update', 'customers/data_request', 'customers/redact', 'shop/redact',
] as const;
export type Topic = (typeof TOPICS)[number];

/** `checkouts/create` → `checkouts_create.json`, the vendor folder's naming. */
export const topicFile = (topic: Topic) => `${topic.replace('/', '_')}.json`;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`the Shopify contract file ${path} could not be read (${err instanceof Error ? err.message : String(err)}): the simulator needs the shared/vendor folder beside the repository, or CHASELINE_VENDOR_DIR`);
  }
}

/** Each topic's sample payload (the `response` of the vendor's sample file). */
export function loadSamples(vendorDir = DEFAULT_VENDOR_DIR): Record<Topic, JsonObject> {
  const dir = vendorDir.replace(/\/?$/, '/');
  return Object.fromEntries(TOPICS.map((t) => {
    const sample = readJson(`${dir}samples/${topicFile(t)}`) as { name?: string; response?: JsonObject };
    if (sample.name !== t || !sample.response) throw new Error(`${dir}samples/${topicFile(t)}: not the sample of ${t}`);
    return [t, sample.response];
  })) as Record<Topic, JsonObject>;
}

/** Each topic's JSON schema (draft 2020-12), for tests that check what the simulator sends. */
export function loadSchemas(vendorDir = DEFAULT_VENDOR_DIR): Record<Topic, JsonObject> {
  const dir = vendorDir.replace(/\/?$/, '/');
  return Object.fromEntries(TOPICS.map((t) => [t, readJson(`${dir}schemas/${topicFile(t)}`)])) as Record<Topic, JsonObject>;
}

export const clone = <T>(value: T): T => structuredClone(value);
