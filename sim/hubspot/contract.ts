// Request bodies are checked against HubSpot's own OpenAPI documents
// (../shared/vendor/hubspot), read at startup, so the simulator cannot accept a body the
// real API would not understand. Like HubSpot, an unknown JSON field is a 400
// ("Unrecognized field"), which also catches a misspelt field in the product.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validation, type HubspotApiError } from './errors.ts';

export const DEFAULT_VENDOR_DIR = process.env.CHASELINE_VENDOR_DIR
  ? `${process.env.CHASELINE_VENDOR_DIR.replace(/\/$/, '')}/hubspot/`
  : fileURLToPath(new URL('../../../shared/vendor/hubspot/', import.meta.url));

export interface Schema {
  $ref?: string;
  type?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
}
type Spec = {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};

/**
 * Fields the documents mark required that HubSpot itself fills in, and that the official
 * client's own types mark optional: refusing them would reject what HubSpot accepts.
 */
const DEFAULTED: Record<string, string[]> = {
  PublicObjectSearchRequest: ['after', 'filterGroups', 'limit', 'properties', 'sorts'],
  SimplePublicObjectInputForCreate: ['associations'],
  SimplePublicObjectBatchInputForCreate: ['associations'],
  BatchReadInputSimplePublicObjectId: ['properties', 'propertiesWithHistory'],
};

/**
 * The documents type search `sorts` as strings, but HubSpot's own docs (and every client
 * in the wild) send `{ propertyName, direction }`; both forms are accepted.
 */
const SORT: Schema = { type: 'sort' };

export interface Contract {
  /** Checks a JSON body against the operation's request schema; null when it conforms. */
  check(file: string, path: string, method: string, body: unknown): HubspotApiError | null;
}

export function loadContract(vendorDir: string, files: string[]): Contract {
  const specs = new Map<string, Spec>();
  for (const file of files) {
    const path = `${vendorDir.replace(/\/?$/, '/')}${file}`;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new Error(`the HubSpot contract ${file} is not at ${path}: the simulator needs the shared/vendor folder beside the repository, or CHASELINE_VENDOR_DIR`);
    }
    specs.set(file, JSON.parse(text) as Spec);
  }
  return {
    check(file, path, method, body) {
      const spec = specs.get(file);
      const schema = spec?.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema;
      if (!spec || !schema) throw new Error(`${file}: no JSON body for ${method.toUpperCase()} ${path}`);
      const problem = checkValue(spec, schema, body, '');
      return problem ? validation(`Invalid input JSON: ${problem}`) : null;
    },
  };
}

function refName(ref: string) {
  return ref.split('/').pop() ?? '';
}

function checkValue(spec: Spec, schema: Schema, value: unknown, at: string, name = ''): string | null {
  if (schema.$ref) {
    const target = spec.components.schemas[refName(schema.$ref)];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return checkValue(spec, target, value, at, refName(schema.$ref));
  }
  const where = at || 'body';
  if (schema.type === 'sort') {
    if (typeof value === 'string') return null;
    const s = value as { propertyName?: unknown; direction?: unknown } | null;
    if (!s || typeof s !== 'object' || typeof s.propertyName !== 'string') return `${where} must be a property name or { propertyName, direction }`;
    if (s.direction !== undefined && s.direction !== 'ASCENDING' && s.direction !== 'DESCENDING') return `${where}.direction must be ASCENDING or DESCENDING`;
    return null;
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return `${where} must be a string`;
      if (schema.enum && !schema.enum.includes(value)) return `${where} "${value}" is not one of ${schema.enum.join(', ')}`;
      return null;
    case 'integer':
      return Number.isInteger(value) ? null : `${where} must be an integer`;
    case 'number':
      return typeof value === 'number' ? null : `${where} must be a number`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${where} must be a boolean`;
    case 'array': {
      if (!Array.isArray(value)) return `${where} must be an array`;
      for (const [i, item] of value.entries()) {
        const problem = checkValue(spec, schema.items ?? {}, item, `${where}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
    case 'object':
    case undefined: {
      if (schema.type === undefined && !schema.properties && !schema.additionalProperties) return null;
      if (!value || typeof value !== 'object' || Array.isArray(value)) return `${where} must be an object`;
      const obj = value as Record<string, unknown>;
      const defaulted = DEFAULTED[name] ?? [];
      for (const key of schema.required ?? []) {
        if (obj[key] === undefined && !defaulted.includes(key)) return `${at ? `${at}.` : ''}${key} is required`;
      }
      for (const [key, v] of Object.entries(obj)) {
        const path = at ? `${at}.${key}` : key;
        let prop = schema.properties?.[key];
        if (name === 'PublicObjectSearchRequest' && key === 'sorts') prop = { type: 'array', items: SORT };
        if (!prop) {
          if (schema.additionalProperties && typeof schema.additionalProperties === 'object') prop = schema.additionalProperties;
          else return `Unrecognized field "${key}"${at ? ` in ${at}` : ''}`;
        }
        // HubSpot treats a null as an absent optional field.
        if (v === null && !(schema.required ?? []).includes(key)) continue;
        const problem = checkValue(spec, prop, v, path);
        if (problem) return problem;
      }
      return null;
    }
    default:
      return null;
  }
}
