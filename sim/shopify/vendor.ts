// The vendor's own webhook contract (sim/contracts/shopify, kept in the repository with its
// source and licence): a JSON schema and a sample payload per topic. Payloads are built by
// overriding the sample, so every field Shopify sends that we do not model still arrives
// with a value of the right shape.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The contract's folder, resolved from this module (it ships with the repository). */
export const CONTRACT_DIR = fileURLToPath(new URL('../contracts/shopify/', import.meta.url));
/** The API version of the schemas and samples kept. */
export const CONTRACT_VERSION = '2026-04';

export const TOPICS = [
  'checkouts/create',
  'checkouts/update',
  'orders/create',
  'orders/paid',
  'customers/update',
  'customers/data_request',
  'customers/redact',
  'shop/redact',
] as const;
export type Topic = (typeof TOPICS)[number];
/** Topics sent beyond the kept contract's (whose samples live elsewhere, see loadUninstalledSample). */
export type SentTopic = Topic | 'app/uninstalled';

/**
 * app/uninstalled's sample: the source keeps it only under 2023-10 (the payload is the shop's
 * record, unchanged since), so it sits there beside the 2026-04 contract.
 */
export function loadUninstalledSample(contractDir = CONTRACT_DIR): JsonObject {
  const path = `${contractDir.replace(/\/?$/, '/')}metadatas/2023-10/app/uninstalled.json`;
  const sample = readJson(path) as { name?: string; response?: JsonObject };
  if (sample.name !== 'app/uninstalled' || !sample.response) throw new Error(`${path}: not the sample of app/uninstalled`);
  return sample.response;
}

/** `checkouts/create` → `2026-04/checkouts/create.json`, the source repository's layout. */
export const topicFile = (topic: Topic) => `${CONTRACT_VERSION}/${topic}.json`;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(
      `the Shopify contract file ${path} could not be read (${err instanceof Error ? err.message : String(err)}): sim/contracts/shopify ships with the repository`,
      { cause: err },
    );
  }
}

/** Each topic's sample payload (the `response` of the topic's metadata file). */
export function loadSamples(contractDir = CONTRACT_DIR): Record<Topic, JsonObject> {
  const dir = contractDir.replace(/\/?$/, '/');
  return Object.fromEntries(
    TOPICS.map((t) => {
      const sample = readJson(`${dir}metadatas/${topicFile(t)}`) as { name?: string; response?: JsonObject };
      if (sample.name !== t || !sample.response) throw new Error(`${dir}metadatas/${topicFile(t)}: not the sample of ${t}`);
      return [t, sample.response];
    }),
  ) as Record<Topic, JsonObject>;
}

/** Each topic's JSON schema (draft 2020-12), for tests that check what the simulator sends. */
export function loadSchemas(contractDir = CONTRACT_DIR): Record<Topic, JsonObject> {
  const dir = contractDir.replace(/\/?$/, '/');
  return Object.fromEntries(TOPICS.map((t) => [t, readJson(`${dir}schemas/${topicFile(t)}`)])) as Record<Topic, JsonObject>;
}

export const clone = <T>(value: T): T => structuredClone(value);
