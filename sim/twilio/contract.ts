// Request bodies are checked against the vendor's own OpenAPI (sim/contracts/twilio, kept in
// the repository with its source and licence), read at startup, so the simulator cannot
// accept a request the real API would not understand. Stricter than Twilio in one way, on purpose: an unknown parameter is a 400
// (Twilio ignores it), because a misspelt parameter is a product bug we want to see.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { badParam, type TwilioApiError } from './errors.ts';

/** Twilio's OpenAPI document of the 2010-04-01 API, resolved from this module (it ships with the repository). */
export const CONTRACT_PATH = fileURLToPath(new URL('../contracts/twilio/twilio_api_v2010.json', import.meta.url));

interface PropSchema {
  type?: string;
  format?: string;
  enum?: string[];
  items?: PropSchema;
  $ref?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

export interface FormSchema {
  properties: Record<string, PropSchema>;
  required: string[];
}

type Operation = {
  parameters?: { name: string; in: string; schema?: PropSchema }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, PropSchema>; required?: string[] } }> };
};
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, PropSchema> } };

/** The OpenAPI document, parsed; a missing or broken one fails the simulator's start with its path. */
function readContract(path: string): Spec {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Spec;
  } catch (err) {
    throw new Error(
      `the Twilio contract ${path} could not be read (${err instanceof Error ? err.message : String(err)}): sim/contracts/twilio ships with the repository`,
      { cause: err },
    );
  }
}

function readSpec(path: string) {
  const spec = readContract(path);
  const file = path.split('/').pop() ?? path;
  // $ref'd enums are resolved once, here, so validation never chases references.
  const resolve = (p: PropSchema): PropSchema => {
    if (!p.$ref) return p.items ? { ...p, items: resolve(p.items) } : p;
    const target = spec.components.schemas[p.$ref.split('/').pop() ?? ''];
    if (!target) throw new Error(`${file}: unresolved ${p.$ref}`);
    return resolve(target);
  };
  return { spec, file, resolve };
}

/** Loads the form schema of each operation's request body. */
export function loadFormSchemas(contractPath: string, operations: [path: string, method: string][]): Map<string, FormSchema> {
  const { spec, file, resolve } = readSpec(contractPath);
  const out = new Map<string, FormSchema>();
  for (const [path, method] of operations) {
    const schema = spec.paths[path]?.[method]?.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
    if (!schema?.properties) throw new Error(`${file}: no form body for ${method.toUpperCase()} ${path}`);
    const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(v)]));
    out.set(`${method.toUpperCase()} ${path}`, { properties, required: schema.required ?? [] });
  }
  return out;
}

/** Loads each operation's query parameters as a form schema, so a query string is checked like a body. */
export function loadQuerySchemas(contractPath: string, operations: [path: string, method: string][]): Map<string, FormSchema> {
  const { spec, file, resolve } = readSpec(contractPath);
  const out = new Map<string, FormSchema>();
  for (const [path, method] of operations) {
    const query = spec.paths[path]?.[method]?.parameters?.filter((p) => p.in === 'query');
    if (!query?.length) throw new Error(`${file}: no query parameters for ${method.toUpperCase()} ${path}`);
    out.set(`${method.toUpperCase()} ${path}`, { properties: Object.fromEntries(query.map((p) => [p.name, resolve(p.schema ?? {})])), required: [] });
  }
  return out;
}

/** Request parameters with repeats kept: name → every value sent. */
export type Params = Map<string, string[]>;

export function parseForm(body: string): Params {
  const params: Params = new Map();
  for (const [k, v] of new URLSearchParams(body)) params.set(k, [...(params.get(k) ?? []), v]);
  return params;
}

/** Twilio's codes for the parameters that have their own. */
const FIELD_CODES: Record<string, number> = {
  To: 21211,
  From: 21212,
  Url: 21205,
  FallbackUrl: 21205,
  Method: 21206,
  StatusCallback: 21609,
  StatusCallbackMethod: 21209,
};
const GENERIC = 20001;

export function validateForm(schema: FormSchema, params: Params, extraEnums: Record<string, string[]> = {}): TwilioApiError | null {
  for (const name of schema.required) {
    if (!params.get(name)?.some((v) => v !== '')) {
      return badParam(name === 'To' ? 21201 : name === 'From' ? 21213 : GENERIC, `Required parameter "${name}" is missing.`);
    }
  }
  for (const [name, values] of params) {
    const prop = schema.properties[name];
    const code = FIELD_CODES[name] ?? GENERIC;
    if (!prop) return badParam(GENERIC, `Unknown parameter "${name}".`);
    if (prop.type !== 'array' && values.length > 1) return badParam(code, `Parameter "${name}" may be given only once.`);
    const item = prop.type === 'array' ? (prop.items ?? { type: 'string' }) : prop;
    const allowed = extraEnums[name] ?? item.enum;
    for (const value of values) {
      const problem = checkValue(item, value, allowed);
      if (problem) return badParam(code, `Invalid ${name}: ${problem}`);
    }
  }
  return null;
}

function checkValue(p: PropSchema, value: string, allowed: string[] | undefined): string | null {
  if (allowed && !allowed.includes(value)) return `"${value}" is not one of ${allowed.join(', ')}`;
  if (p.type === 'integer' && !/^-?\d+$/.test(value)) return `"${value}" is not an integer`;
  if (p.minimum !== undefined && Number(value) < p.minimum) return `${value} is below ${p.minimum}`;
  if (p.maximum !== undefined && Number(value) > p.maximum) return `${value} is above ${p.maximum}`;
  if (p.type === 'number' && !Number.isFinite(Number(value))) return `"${value}" is not a number`;
  if (p.type === 'boolean' && !/^(true|false)$/i.test(value)) return `"${value}" is not true or false`;
  if (p.format === 'uri' && !isHttpUrl(value)) return `"${value}" is not an absolute http(s) URL`;
  if (p.minLength !== undefined && value.length < p.minLength) return 'too short';
  if (p.maxLength !== undefined && value.length > p.maxLength) return 'too long';
  if (p.pattern && !new RegExp(p.pattern).test(value)) return `"${value}" does not match ${p.pattern}`;
  return null;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // Twilio refuses underscores in callback host names.
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname.includes('_');
  } catch {
    return false;
  }
}

export const first = (params: Params, name: string): string | undefined => params.get(name)?.[0];
