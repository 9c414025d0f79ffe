// The request bodies HubSpot accepts, for each operation the simulator serves: fields, their
// types and enumerations, which are required, and — as at HubSpot — an unknown JSON field
// refused with 400 "Unrecognized field", which also catches a misspelt field in the product.
//
// The facts are written out here by hand from HubSpot's public API reference
// (https://developers.hubspot.com/docs/api/crm/contacts, …/crm/calls, …/crm/communications,
// …/crm/associations/associations-v4, …/crm/properties and …/crm/search). HubSpot's
// machine-readable OpenAPI documents are proprietary and not licensed for redistribution,
// so none of them is copied into the repository or read at run time.
import { validation, type HubspotApiError } from './errors.ts';

export type Shape =
  | { kind: 'string'; enum?: readonly string[] }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  | { kind: 'array'; items: Shape }
  /**
   * A JSON object with these fields and no others. `defaulted` ones may be left out (HubSpot
   * fills them in) but, unlike other optional fields, not sent as null.
   */
  | { kind: 'object'; fields: Record<string, Shape>; required: readonly string[]; defaulted?: readonly string[] }
  /** A JSON object of any keys, each value of one shape (e.g. `properties`). */
  | { kind: 'map'; values: Shape }
  /** A search sort: a property name, or `{ propertyName, direction }`. */
  | { kind: 'sort' };

const str: Shape = { kind: 'string' };
const oneOf = (values: readonly string[]): Shape => ({ kind: 'string', enum: values });
const int: Shape = { kind: 'integer' };
const bool: Shape = { kind: 'boolean' };
const arr = (items: Shape): Shape => ({ kind: 'array', items });
const obj = (fields: Record<string, Shape>, required: readonly string[] = [], defaulted: readonly string[] = []): Shape => ({
  kind: 'object',
  fields,
  required,
  defaulted,
});
const batch = (input: Shape) => obj({ inputs: arr(input) }, ['inputs']);

/** Property values are strings, whatever the property's type (numbers, dates and booleans too). */
const properties: Shape = { kind: 'map', values: str };
const objectId = obj({ id: str }, ['id']);
const associationSpec = obj(
  {
    associationCategory: oneOf(['HUBSPOT_DEFINED', 'INTEGRATOR_DEFINED', 'USER_DEFINED', 'WORK']),
    associationTypeId: int,
  },
  ['associationCategory', 'associationTypeId'],
);
/** An association made with the object (create, batch create). */
const inlineAssociation = obj({ to: objectId, types: arr(associationSpec) }, ['to', 'types']);
const filter = obj(
  {
    propertyName: str,
    operator: oneOf([
      'BETWEEN',
      'CONTAINS_TOKEN',
      'EQ',
      'GT',
      'GTE',
      'HAS_PROPERTY',
      'IN',
      'LT',
      'LTE',
      'NEQ',
      'NOT_CONTAINS_TOKEN',
      'NOT_HAS_PROPERTY',
      'NOT_IN',
    ]),
    value: str,
    highValue: str,
    values: arr(str),
  },
  ['operator', 'propertyName'],
);
/** An update or upsert of one record, by id (or by the value of a unique `idProperty`). */
const batchWrite = obj({ id: str, idProperty: str, objectWriteTraceId: str, properties }, ['id', 'properties']);
const optionInput = obj({ label: str, value: str, description: str, displayOrder: int, hidden: bool }, ['hidden', 'label', 'value']);

/**
 * The bodies, by operation. Where the reference marks a field required that HubSpot fills in
 * itself and the official client types as optional — `associations` on create, search's
 * `after`/`limit`/`properties`/`sorts`/`filterGroups`, batch read's `properties` and
 * `propertiesWithHistory` — HubSpot's behaviour wins: the field may be left out (`defaulted`).
 */
export const BODIES = {
  /** POST /crm/v3/objects/{type} */
  create: obj({ properties, associations: arr(inlineAssociation) }, ['properties'], ['associations']),
  /** PATCH /crm/v3/objects/{type}/{id} */
  update: obj({ properties }, ['properties']),
  /** POST /crm/v3/objects/{type}/batch/read */
  'batch/read': obj(
    { inputs: arr(objectId), properties: arr(str), propertiesWithHistory: arr(str), idProperty: str },
    ['inputs'],
    ['properties', 'propertiesWithHistory'],
  ),
  /** POST /crm/v3/objects/{type}/batch/create */
  'batch/create': batch(obj({ properties, associations: arr(inlineAssociation), objectWriteTraceId: str }, ['properties'], ['associations'])),
  /** POST /crm/v3/objects/{type}/batch/update */
  'batch/update': batch(batchWrite),
  /** POST /crm/v3/objects/{type}/batch/upsert */
  'batch/upsert': batch(batchWrite),
  /** POST /crm/v3/objects/{type}/batch/archive */
  'batch/archive': batch(objectId),
  /** POST /crm/v3/objects/{type}/search (sorts: HubSpot's docs and clients send `{ propertyName, direction }`, the reference types strings; both are taken). */
  search: obj(
    {
      filterGroups: arr(obj({ filters: arr(filter) }, ['filters'])),
      sorts: arr({ kind: 'sort' }),
      query: str,
      properties: arr(str),
      limit: int,
      after: str,
    },
    [],
    ['after', 'filterGroups', 'limit', 'properties', 'sorts'],
  ),
  /** PUT /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}: the labels, as a bare array. */
  'associations/put': arr(associationSpec),
  /** POST /crm/v4/associations/{fromType}/{toType}/batch/create */
  'associations/batch/create': batch(obj({ from: objectId, to: objectId, types: arr(associationSpec) }, ['from', 'to', 'types'])),
  /** POST /crm/v3/properties/{type}/groups */
  'properties/groups/create': obj({ name: str, label: str, displayOrder: int }, ['name', 'label']),
  /** POST /crm/v3/properties/{type}: a custom property, in an existing group. */
  'properties/create': obj(
    {
      name: str,
      label: str,
      type: oneOf(['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string']),
      fieldType: oneOf([
        'booleancheckbox',
        'calculation_equation',
        'checkbox',
        'date',
        'file',
        'html',
        'number',
        'phonenumber',
        'radio',
        'select',
        'text',
        'textarea',
      ]),
      groupName: str,
      description: str,
      options: arr(optionInput),
      displayOrder: int,
      hidden: bool,
      formField: bool,
      hasUniqueValue: bool,
      externalOptions: bool,
      referencedObjectType: str,
      calculationFormula: str,
    },
    ['name', 'label', 'type', 'fieldType', 'groupName'],
  ),
  /** PATCH /crm/v3/properties/{type}/{name}: `options`, when given, is the property's whole list. */
  'properties/update': obj({
    label: str,
    description: str,
    groupName: str,
    type: oneOf(['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string']),
    fieldType: oneOf([
      'booleancheckbox',
      'calculation_equation',
      'checkbox',
      'date',
      'file',
      'html',
      'number',
      'phonenumber',
      'radio',
      'select',
      'text',
      'textarea',
    ]),
    options: arr(optionInput),
    displayOrder: int,
    hidden: bool,
    formField: bool,
    calculationFormula: str,
    currencyPropertyName: str,
    showCurrencySymbol: bool,
    numberDisplayHint: oneOf(['currency', 'duration', 'formatted', 'percentage', 'probability', 'unformatted']),
    textDisplayHint: oneOf(['domain_name', 'email', 'ip_address', 'multi_line', 'phone_number', 'physical_address', 'postal_code', 'unformatted_single_line']),
  }),
} satisfies Record<string, Shape>;

export type BodyName = keyof typeof BODIES;

/** Checks a JSON body against its operation's shape; null when it conforms, else HubSpot's 400. */
export function checkBody(name: BodyName, body: unknown): HubspotApiError | null {
  const problem = checkValue(BODIES[name], body, '');
  return problem ? validation(`Invalid input JSON: ${problem}`) : null;
}

function checkValue(shape: Shape, value: unknown, at: string): string | null {
  const where = at || 'body';
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') return `${where} must be a string`;
      if (shape.enum && !shape.enum.includes(value)) return `${where} "${value}" is not one of ${shape.enum.join(', ')}`;
      return null;
    case 'integer':
      return Number.isInteger(value) ? null : `${where} must be an integer`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${where} must be a boolean`;
    case 'sort': {
      if (typeof value === 'string') return null;
      const s = value as { propertyName?: unknown; direction?: unknown } | null;
      if (!s || typeof s !== 'object' || typeof s.propertyName !== 'string') return `${where} must be a property name or { propertyName, direction }`;
      if (s.direction !== undefined && s.direction !== 'ASCENDING' && s.direction !== 'DESCENDING') return `${where}.direction must be ASCENDING or DESCENDING`;
      return null;
    }
    case 'array': {
      if (!Array.isArray(value)) return `${where} must be an array`;
      for (const [i, item] of value.entries()) {
        const problem = checkValue(shape.items, item, `${where}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
    case 'map':
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return `${where} must be an object`;
      const o = value as Record<string, unknown>;
      const required = shape.kind === 'object' ? shape.required : [];
      const notNull = shape.kind === 'object' ? [...required, ...(shape.defaulted ?? [])] : [];
      for (const key of required) if (o[key] === undefined) return `${at ? `${at}.` : ''}${key} is required`;
      for (const [key, v] of Object.entries(o)) {
        const field = shape.kind === 'map' ? shape.values : shape.fields[key];
        if (!field) return `Unrecognized field "${key}"${at ? ` in ${at}` : ''}`;
        // HubSpot treats a null as an absent optional field.
        if (v === null && !notNull.includes(key)) continue;
        const problem = checkValue(field, v, at ? `${at}.${key}` : key);
        if (problem) return problem;
      }
      return null;
    }
  }
}
