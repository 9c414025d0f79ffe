// The portal's property definitions and the properties API over them: read one or all
// (`GET /crm/v3/properties/{objectType}[/{name}]`), create a group (`POST …/groups`, 409 when
// taken) or a custom property in one (`POST`), and update one (`PATCH`, where `options`,
// when given, is the whole new list). A definition says what a value must be: an
// enumeration takes only its options' values — a multiple-checkbox one several, joined with
// ';' — and anything else is HubSpot's INVALID_OPTION; a datetime takes epoch milliseconds
// or ISO 8601.
// https://developers.hubspot.com/docs/api/crm/properties
import { checkBody } from './contract.ts';
import { HubspotApiError, notFound, validation } from './errors.ts';
import type { Route } from './server.ts';
import { objectTypeOf, parseTime, type ObjectType } from './store.ts';

export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';
export type FieldType =
  'text' | 'textarea' | 'html' | 'phonenumber' | 'file' | 'number' | 'date' | 'select' | 'radio' | 'checkbox' | 'booleancheckbox' | 'calculation_equation';

/** The field types each property type may be shown as (HubSpot's "type and fieldType" table), the usual one first. */
const FIELD_TYPES: Record<PropertyType, FieldType[]> = {
  bool: ['booleancheckbox', 'calculation_equation'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation'],
  date: ['date'],
  datetime: ['date'],
  string: ['text', 'textarea', 'file', 'html', 'phonenumber', 'calculation_equation'],
  number: ['number', 'calculation_equation'],
  phone_number: ['phonenumber'],
};

export interface SimOption {
  label: string;
  value: string;
  description: string;
  displayOrder: number;
  hidden: boolean;
}

export interface SimProperty {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  groupName: string;
  description: string;
  options: SimOption[];
  displayOrder: number;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  /** Set by HubSpot (READ_ONLY_VALUE on write). */
  readOnlyValue: boolean;
  /** HubSpot's own definition: not changed through the API here. */
  readOnlyDefinition: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type OptionInput = Partial<SimOption> & { value: string };
/** A custom property: a name alone is single-line text. */
export type PropertyInput =
  | string
  | { name: string; label?: string; type?: PropertyType; fieldType?: FieldType; groupName?: string; description?: string; options?: (string | OptionInput)[] };

const option = (o: string | OptionInput, i: number): SimOption => {
  const given = typeof o === 'string' ? { value: o } : o;
  return {
    label: given.label ?? given.value,
    value: given.value,
    description: given.description ?? '',
    displayOrder: given.displayOrder ?? i,
    hidden: given.hidden ?? false,
  };
};

/** Set by HubSpot, refused on write. */
const READ_ONLY: Record<ObjectType, string[]> = {
  contacts: ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_createdate'],
  calls: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
  communications: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
};

/** HubSpot's own properties the simulator knows (a property outside the portal's definitions is PROPERTY_DOESNT_EXIST). */
const STANDARD: Record<ObjectType, string[]> = {
  contacts: [
    'email',
    'firstname',
    'lastname',
    'phone',
    'mobilephone',
    'company',
    'jobtitle',
    'website',
    'address',
    'city',
    'state',
    'zip',
    'country',
    'hs_timezone',
    'hs_language',
    'lifecyclestage',
    'hs_lead_status',
    'hubspot_owner_id',
    'hs_whatsapp_phone_number',
    'notes_last_contacted',
    'num_contacted_notes',
    'hs_email_optout',
  ],
  calls: [
    'hs_timestamp',
    'hs_call_title',
    'hs_call_body',
    'hs_call_direction',
    'hs_call_status',
    'hs_call_disposition',
    'hs_call_duration',
    'hs_call_from_number',
    'hs_call_to_number',
    'hs_call_recording_url',
    'hs_call_callee_object_id',
    'hs_call_callee_object_type',
    'hubspot_owner_id',
    'hs_activity_type',
    'hs_attachment_ids',
  ],
  // https://developers.hubspot.com/docs/api/crm/communications (WhatsApp, LinkedIn and SMS messages logged on the timeline).
  communications: [
    'hs_timestamp',
    'hs_communication_channel_type',
    'hs_communication_logged_from',
    'hs_communication_body',
    'hubspot_owner_id',
    'hs_attachment_ids',
  ],
};

/** HubSpot's enumerations among them, with their options. */
const ENUMS: Partial<Record<ObjectType, Record<string, string[]>>> = {
  calls: {
    hs_call_direction: ['INBOUND', 'OUTBOUND'],
    hs_call_status: ['BUSY', 'CALLING_CRM_USER', 'CANCELED', 'COMPLETED', 'CONNECTING', 'FAILED', 'IN_PROGRESS', 'MISSED', 'NO_ANSWER', 'QUEUED', 'RINGING'],
  },
  communications: {
    hs_communication_channel_type: ['WHATS_APP', 'LINKEDIN_MESSAGE', 'SMS'],
    // "This must be set to CRM in your request."
    hs_communication_logged_from: ['CRM'],
  },
};

const DATETIMES = new Set(['hs_timestamp', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_createdate']);

export class PropertyRegistry {
  private readonly defs = new Map<string, SimProperty>();
  /** Property groups by name: HubSpot's own information group, and those created through the API. */
  readonly groups = new Map<string, { name: string; label: string; displayOrder: number; archived: boolean }>();

  constructor(
    readonly objectType: ObjectType,
    custom: PropertyInput[] = [],
  ) {
    const at = new Date();
    const group = `${objectType.slice(0, -1)}information`;
    this.groups.set(group, { name: group, label: `${objectType.slice(0, -1)} information`, displayOrder: -1, archived: false });
    for (const name of [...READ_ONLY[objectType], ...STANDARD[objectType]]) {
      const options = ENUMS[objectType]?.[name];
      const readOnly = READ_ONLY[objectType].includes(name);
      this.defs.set(name, {
        name,
        label: name,
        groupName: group,
        description: '',
        displayOrder: -1,
        hidden: false,
        formField: false,
        type: options ? 'enumeration' : DATETIMES.has(name) ? 'datetime' : 'string',
        fieldType: options ? 'select' : DATETIMES.has(name) ? 'date' : 'text',
        options: (options ?? []).map(option),
        hubspotDefined: true,
        readOnlyValue: readOnly,
        readOnlyDefinition: true,
        createdAt: at,
        updatedAt: at,
      });
    }
    for (const input of custom) {
      const p = typeof input === 'string' ? { name: input } : input;
      const type = p.type ?? (p.options ? 'enumeration' : 'string');
      const fieldType = p.fieldType ?? (type === 'enumeration' ? 'checkbox' : FIELD_TYPES[type][0]!);
      if (!FIELD_TYPES[type].includes(fieldType)) throw new Error(`property ${p.name}: a ${type} property cannot be a ${fieldType}`);
      this.defs.set(p.name, {
        name: p.name,
        label: p.label ?? p.name,
        groupName: p.groupName ?? group,
        description: p.description ?? '',
        displayOrder: -1,
        hidden: false,
        formField: true,
        type,
        fieldType,
        options: (p.options ?? []).map(option),
        hubspotDefined: false,
        readOnlyValue: false,
        readOnlyDefinition: false,
        createdAt: at,
        updatedAt: at,
      });
    }
  }

  get(name: string): SimProperty | undefined {
    return this.defs.get(name);
  }

  all(): SimProperty[] {
    return [...this.defs.values()];
  }

  /** Why HubSpot refuses `value` for this property, or null: `{ error, message }` as in its validation results. */
  refusal(p: SimProperty, value: string): { error: string; message: string } | null {
    if (value === '') return null; // clears the property
    if (p.type === 'enumeration' || p.type === 'bool') {
      const allowed = p.type === 'bool' && !p.options.length ? ['true', 'false'] : p.options.map((o) => o.value);
      // A multiple-checkbox property holds several options, ';'-separated; the others one.
      const given = p.fieldType === 'checkbox' ? value.split(';').filter(Boolean) : [value];
      const bad = given.find((v) => !allowed.includes(v));
      return bad === undefined ? null : { error: 'INVALID_OPTION', message: `${bad} was not one of the allowed options: [${allowed.join(', ')}]` };
    }
    if (p.type === 'datetime' && Number.isNaN(parseTime(value))) return { error: 'INVALID_DATETIME', message: `${value} is not a valid datetime` };
    return null;
  }

  /** POST groups: a new group (HubSpot answers 409 for a name taken). */
  createGroup(input: { name: string; label: string; displayOrder?: number }) {
    if (this.groups.has(input.name)) throw new HubspotApiError(409, 'OBJECT_ALREADY_EXISTS', `A property group named ${input.name} already exists`);
    const g = { name: input.name, label: input.label, displayOrder: input.displayOrder ?? -1, archived: false };
    this.groups.set(g.name, g);
    return g;
  }

  /** POST: a custom property in an existing group (409 for a name taken, 400 for a group missing or a field type that does not fit). */
  create(input: {
    name: string;
    label: string;
    type: PropertyType;
    fieldType: FieldType;
    groupName: string;
    description?: string;
    options?: OptionInput[];
    displayOrder?: number;
    hidden?: boolean;
    formField?: boolean;
  }): SimProperty {
    if (this.defs.has(input.name)) throw new HubspotApiError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${input.name}' already exists.`);
    if (!/^[a-z][a-z0-9_]*$/.test(input.name))
      throw validation(`Property name ${input.name} is invalid: lowercase letters, digits and underscores, starting with a letter`);
    if (!this.groups.has(input.groupName)) throw validation(`group ${input.groupName} does not exist.`);
    if (!FIELD_TYPES[input.type].includes(input.fieldType))
      throw validation(`fieldType ${input.fieldType} is not valid for a property of type ${input.type}; use one of ${FIELD_TYPES[input.type].join(', ')}`);
    const at = new Date();
    const p: SimProperty = {
      name: input.name,
      label: input.label,
      type: input.type,
      fieldType: input.fieldType,
      groupName: input.groupName,
      description: input.description ?? '',
      options: (input.options ?? []).map(option),
      displayOrder: input.displayOrder ?? -1,
      hidden: input.hidden ?? false,
      formField: input.formField ?? false,
      hubspotDefined: false,
      readOnlyValue: false,
      readOnlyDefinition: false,
      createdAt: at,
      updatedAt: at,
    };
    this.defs.set(p.name, p);
    return p;
  }

  /** PATCH: the fields given change; `options`, when given, replaces the list. */
  update(name: string, patch: PropertyPatch): SimProperty {
    const p = this.defs.get(name);
    if (!p) throw notFound(`Unable to find property ${name} for object type ${this.objectType}`);
    if (p.readOnlyDefinition) throw validation(`${name} is a HubSpot-defined property; its definition cannot be changed`);
    const type = patch.type ?? p.type;
    // A new type without a field type takes that type's first one when the old one does not fit.
    const fieldType = patch.fieldType ?? (FIELD_TYPES[type].includes(p.fieldType) ? p.fieldType : FIELD_TYPES[type][0]!);
    if (!FIELD_TYPES[type].includes(fieldType))
      throw validation(`fieldType ${fieldType} is not valid for a property of type ${type}; use one of ${FIELD_TYPES[type].join(', ')}`);
    let options = p.options;
    if (patch.options) {
      const values = patch.options.map((o) => o.value);
      const dupe = values.find((v, i) => values.indexOf(v) !== i);
      if (dupe !== undefined) throw validation(`Duplicate option value: ${dupe}`, { context: { value: [dupe] } });
      const empty = patch.options.find((o) => !o.value || !o.label);
      if (empty) throw validation('Every option needs a label and a value');
      options = patch.options.map(option);
    }
    Object.assign(p, {
      ...pick(patch, ['label', 'description', 'groupName', 'displayOrder', 'hidden', 'formField']),
      type,
      fieldType,
      // Only enumerations (and booleans) have options.
      options: type === 'enumeration' || type === 'bool' ? options : [],
      updatedAt: new Date(Math.max(Date.now(), p.updatedAt.getTime() + 1)),
    });
    return p;
  }
}

type PropertyPatch = Partial<Pick<SimProperty, 'label' | 'description' | 'groupName' | 'displayOrder' | 'hidden' | 'formField' | 'type' | 'fieldType'>> & {
  options?: OptionInput[];
};

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined && o[k] !== null).map((k) => [k, o[k]])) as Partial<Pick<T, K>>;
}

/** A definition as the properties API answers it. */
export function propertyJson(p: SimProperty) {
  return {
    updatedAt: p.updatedAt.toISOString(),
    createdAt: p.createdAt.toISOString(),
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    description: p.description,
    groupName: p.groupName,
    options: p.options.map((o) => ({ ...o })),
    displayOrder: p.displayOrder,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: false,
    hidden: p.hidden,
    hubspotDefined: p.hubspotDefined,
    modificationMetadata: { archivable: !p.hubspotDefined, readOnlyDefinition: p.readOnlyDefinition, readOnlyValue: p.readOnlyValue },
    formField: p.formField,
    dataSensitivity: 'non_sensitive',
  };
}

const SEG = '([^/]+)';

export function propertyRoutes(registries: Record<ObjectType, PropertyRegistry>): Route[] {
  const registry = (name: string) => registries[objectTypeOf(decodeURIComponent(name))];
  return [
    {
      method: 'POST',
      pattern: new RegExp(`^/crm/v3/properties/${SEG}/groups$`),
      handler: ({ match, body }) => {
        const problem = checkBody('properties/groups/create', body);
        if (problem) throw problem;
        return { status: 201, json: registry(match[1]!).createGroup(body as { name: string; label: string }) };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/crm/v3/properties/${SEG}$`),
      handler: ({ match, body }) => {
        const problem = checkBody('properties/create', body);
        if (problem) throw problem;
        return { status: 201, json: propertyJson(registry(match[1]!).create(body as Parameters<PropertyRegistry['create']>[0])) };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/crm/v3/properties/${SEG}$`),
      handler: ({ match }) => ({ status: 200, json: { results: registry(match[1]!).all().map(propertyJson) } }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/crm/v3/properties/${SEG}/${SEG}$`),
      handler: ({ match }) => {
        const reg = registry(match[1]!);
        const p = reg.get(decodeURIComponent(match[2]!));
        if (!p) throw notFound(`Unable to find property ${decodeURIComponent(match[2]!)} for object type ${reg.objectType}`);
        return { status: 200, json: propertyJson(p) };
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/crm/v3/properties/${SEG}/${SEG}$`),
      handler: ({ match, body }) => {
        const problem = checkBody('properties/update', body);
        if (problem) throw problem;
        const reg = registry(match[1]!);
        return { status: 200, json: propertyJson(reg.update(decodeURIComponent(match[2]!), body as PropertyPatch)) };
      },
    },
  ];
}
