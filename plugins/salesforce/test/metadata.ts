/**
 * The package's metadata files read as Salesforce would read them: the source-format tree
 * under force-app/main/default, each *-meta.xml parsed with fast-xml-parser, custom fields
 * turned into sim/salesforce field definitions (so the simulator knows exactly the fields the
 * package deploys), and the Authorization header the external credential builds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import type { Field } from '../../../sim/salesforce/index.ts';

export const PROJECT = fileURLToPath(new URL('..', import.meta.url));
export const SOURCE = path.join(PROJECT, 'force-app/main/default');

export function filesUnder(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '__tests__') out.push(...filesUnder(full, suffix));
    else if (entry.isFile() && entry.name.endsWith(suffix)) out.push(full);
  }
  return out.sort();
}

// Repeated elements always come as arrays, whatever their count.
const LISTS = new Set([
  'fieldPermissions',
  'classAccesses',
  'objectPermissions',
  'externalCredentialPrincipalAccesses',
  'externalCredentialParameters',
  'namedCredentialParameters',
  'sections',
  'columns',
  'targets',
  'target',
  'targetConfig',
]);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => LISTS.has(name) });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Xml = Record<string, any>;

/** The file's root element (e.g. the <CustomField>), parsed. */
export function readXml(file: string): Xml {
  const doc = parser.parse(readFileSync(file, 'utf8')) as Xml;
  const root = Object.keys(doc).find((k) => k !== '?xml');
  if (!root) throw new Error(`${file}: no root element`);
  return doc[root] as Xml;
}

/** The API names of an object's custom fields in the package (objects/<Object>/fields/<Name>.field-meta.xml). */
export function fieldNames(object: string): string[] {
  return filesUnder(path.join(SOURCE, 'objects', object, 'fields'), '.field-meta.xml').map((f) => path.basename(f, '.field-meta.xml'));
}

const KINDS: Record<string, Field['kind']> = {
  Text: 'string',
  TextArea: 'string',
  LongTextArea: 'string',
  Email: 'string',
  Phone: 'string',
  Url: 'string',
  DateTime: 'datetime',
  Date: 'date',
  Checkbox: 'boolean',
  Picklist: 'picklist',
};

/** An object's package fields as sim/salesforce deploys them. */
export function simFields(object: string): Field[] {
  return fieldNames(object).map((name) => {
    const xml = readXml(path.join(SOURCE, 'objects', object, 'fields', `${name}.field-meta.xml`));
    const type = String(xml.type);
    const kind = type === 'Number' ? (Number(xml.scale ?? 0) === 0 ? 'int' : 'string') : KINDS[type];
    if (!kind) throw new Error(`${object}.${name}: field type ${type} is not simulated`);
    return { name, kind, ...(xml.required === 'true' ? { required: true } : {}) };
  });
}

/** The Authorization header the Chaseline external credential adds to every callout, for this API key. */
export function authorizationFor(apiKey: string): string {
  const credential = readXml(path.join(SOURCE, 'externalCredentials/Chaseline.externalCredential-meta.xml'));
  const header = (credential.externalCredentialParameters as Xml[]).find((p) => p.parameterType === 'AuthHeader' && p.parameterName === 'Authorization');
  if (!header) throw new Error('the Chaseline external credential adds no Authorization header');
  // {!$Credential.<ExternalCredential>.<Parameter>}: the principal's parameter, filled in by an admin.
  return String(header.parameterValue).replace('{!$Credential.Chaseline.ApiKey}', apiKey);
}
