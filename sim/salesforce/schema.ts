// The three sObjects Chaseline touches, with the fields it reads and writes. Field kinds
// decide how values are checked on write, compared in SOQL and rendered in JSON and CSV.
export type Kind = 'id' | 'string' | 'boolean' | 'datetime' | 'date' | 'int' | 'reference' | 'picklist';
export interface Field {
  name: string;
  kind: Kind;
  /** Set by the platform; a write names it → INVALID_FIELD_FOR_INSERT_UPDATE. */
  system?: boolean;
  required?: boolean;
  /** Restricted picklist values. */
  values?: readonly string[];
  default?: string | boolean;
}
export type SObjectType = 'Contact' | 'Lead' | 'Task';
export const SOBJECT_TYPES: readonly SObjectType[] = ['Contact', 'Lead', 'Task'];

const system: Field[] = [
  { name: 'Id', kind: 'id', system: true },
  { name: 'IsDeleted', kind: 'boolean', system: true },
  { name: 'CreatedDate', kind: 'datetime', system: true },
  { name: 'LastModifiedDate', kind: 'datetime', system: true },
  { name: 'SystemModstamp', kind: 'datetime', system: true },
];
const person: Field[] = [
  { name: 'FirstName', kind: 'string' },
  { name: 'LastName', kind: 'string', required: true },
  { name: 'Phone', kind: 'string' },
  { name: 'MobilePhone', kind: 'string' },
  { name: 'Email', kind: 'string' },
  { name: 'DoNotCall', kind: 'boolean', default: false },
  { name: 'HasOptedOutOfEmail', kind: 'boolean', default: false },
];

export const SCHEMA: Record<SObjectType, Field[]> = {
  Contact: [...system, ...person, { name: 'MailingCountry', kind: 'string' }],
  Lead: [
    ...system,
    ...person,
    { name: 'Company', kind: 'string', required: true },
    {
      name: 'Status',
      kind: 'picklist',
      values: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
      default: 'Open - Not Contacted',
    },
    { name: 'Country', kind: 'string' },
    // Set when the lead is converted to a contact (writable here; Salesforce sets it on conversion).
    { name: 'IsConverted', kind: 'boolean', default: false },
  ],
  Task: [
    ...system,
    { name: 'WhoId', kind: 'reference' },
    { name: 'Subject', kind: 'string' },
    { name: 'Description', kind: 'string' },
    { name: 'Status', kind: 'picklist', values: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], default: 'Not Started' },
    { name: 'Priority', kind: 'picklist', values: ['High', 'Normal', 'Low'], default: 'Normal' },
    { name: 'ActivityDate', kind: 'date' },
    { name: 'TaskSubtype', kind: 'picklist', values: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], default: 'Task' },
    { name: 'CallType', kind: 'picklist', values: ['Internal', 'Inbound', 'Outbound'] },
    { name: 'CallDisposition', kind: 'string' },
    { name: 'CallDurationInSeconds', kind: 'int' },
    { name: 'CallObject', kind: 'string' },
  ],
};

/** Field names are case-insensitive in SOQL and in JSON bodies; this finds the canonical one. */
export function findField(type: SObjectType, name: string, fields: readonly Field[] = SCHEMA[type]): Field | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower);
}

/** A custom field's or custom object's API name: letters, digits and single underscores, then the suffix. */
const customName = (suffix: string) => new RegExp(`^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__${suffix}$`);

/**
 * What one org has: the standard fields above plus the custom fields deployed to it (a package's
 * field metadata), and its platform events (custom objects ending in __e) with their fields.
 * Anything else a request names is unknown, as in a real org: INVALID_FIELD, or NOT_FOUND for
 * an sObject type.
 */
export class OrgSchema {
  private readonly custom = new Map<SObjectType, Field[]>();
  private readonly events = new Map<string, Field[]>();

  /** Deploys custom fields (Name__c) to a type; deploying a field again replaces it. */
  addFields(type: SObjectType, fields: Field[]): void {
    for (const f of fields) if (!customName('c').test(f.name)) throw new Error(`Salesforce sim: '${f.name}' is not a custom field's API name (…__c)`);
    const names = new Set(fields.map((f) => f.name.toLowerCase()));
    this.custom.set(type, [...(this.custom.get(type) ?? []).filter((f) => !names.has(f.name.toLowerCase())), ...fields]);
  }

  fields(type: SObjectType): Field[] {
    return [...SCHEMA[type], ...(this.custom.get(type) ?? [])];
  }

  field(type: SObjectType, name: string): Field | undefined {
    return findField(type, name, this.fields(type));
  }

  /** Deploys a platform event (Name__e) with its custom fields. */
  addEvent(name: string, fields: Field[]): void {
    if (!customName('e').test(name)) throw new Error(`Salesforce sim: '${name}' is not a platform event's API name (…__e)`);
    for (const f of fields) if (!customName('c').test(f.name)) throw new Error(`Salesforce sim: '${f.name}' is not a custom field's API name (…__c)`);
    this.events.set(name, fields);
  }

  /** The platform event's canonical name and fields, by its name in any case. */
  event(name: string): { name: string; fields: Field[] } | undefined {
    for (const [known, fields] of this.events) if (known.toLowerCase() === name.toLowerCase()) return { name: known, fields };
    return undefined;
  }
}

export function findType(name: string): SObjectType | undefined {
  return SOBJECT_TYPES.find((t) => t.toLowerCase() === name.toLowerCase());
}
