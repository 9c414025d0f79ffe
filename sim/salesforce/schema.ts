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
    ...system, ...person,
    { name: 'Company', kind: 'string', required: true },
    { name: 'Status', kind: 'picklist', values: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'], default: 'Open - Not Contacted' },
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
export function findField(type: SObjectType, name: string): Field | undefined {
  const lower = name.toLowerCase();
  return SCHEMA[type].find((f) => f.name.toLowerCase() === lower);
}

export function findType(name: string): SObjectType | undefined {
  return SOBJECT_TYPES.find((t) => t.toLowerCase() === name.toLowerCase());
}
