// The CRM's state: contacts, calls and communications (engagements) as HubSpot keeps them —
// string properties, numeric string ids, createdAt/updatedAt, a last-modified property
// bumped on every write — and the engagement↔contact associations between them.
import { validation } from './errors.ts';

export type ObjectType = 'contacts' | 'calls' | 'communications';
/** Activities logged on a contact's timeline. */
export type EngagementType = Exclude<ObjectType, 'contacts'>;

export interface CrmObject {
  id: string;
  properties: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  archived: boolean;
  archivedAt?: Date;
}

/** Association type ids HubSpot defines (HUBSPOT_DEFINED) between engagements and contacts. */
export const CALL_TO_CONTACT = 194;
export const CONTACT_TO_CALL = 193;
export const COMMUNICATION_TO_CONTACT = 81;
export const CONTACT_TO_COMMUNICATION = 82;
export const OBJECT_TYPE_IDS: Record<ObjectType, string> = { contacts: '0-1', calls: '0-48', communications: '0-18' };

/** Properties HubSpot returns when the request names none. */
export const DEFAULT_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  communications: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Returned whatever properties were asked for. */
const ALWAYS: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'hs_object_id', 'lastmodifieddate'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  communications: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Set by HubSpot, refused on write (READ_ONLY_VALUE), as HubSpot does. */
const READ_ONLY: Record<ObjectType, string[]> = {
  contacts: ['hs_object_id', 'createdate', 'lastmodifieddate', 'hs_lastmodifieddate', 'hs_createdate'],
  calls: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
  communications: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
};

/** The portal's property definitions; a property outside them is PROPERTY_DOESNT_EXIST. */
export const KNOWN_PROPERTIES: Record<ObjectType, string[]> = {
  contacts: [
    ...READ_ONLY.contacts, 'email', 'firstname', 'lastname', 'phone', 'mobilephone', 'company', 'jobtitle', 'website',
    'address', 'city', 'state', 'zip', 'country', 'hs_timezone', 'hs_language', 'lifecyclestage', 'hs_lead_status',
    'hubspot_owner_id', 'hs_whatsapp_phone_number', 'notes_last_contacted', 'num_contacted_notes', 'hs_email_optout',
  ],
  calls: [
    ...READ_ONLY.calls, 'hs_timestamp', 'hs_call_title', 'hs_call_body', 'hs_call_direction', 'hs_call_status',
    'hs_call_disposition', 'hs_call_duration', 'hs_call_from_number', 'hs_call_to_number', 'hs_call_recording_url',
    'hs_call_callee_object_id', 'hs_call_callee_object_type', 'hubspot_owner_id', 'hs_activity_type', 'hs_attachment_ids',
  ],
  // https://developers.hubspot.com/docs/api/crm/communications (WhatsApp, LinkedIn and SMS messages logged on the timeline).
  communications: [
    ...READ_ONLY.communications, 'hs_timestamp', 'hs_communication_channel_type', 'hs_communication_logged_from', 'hs_communication_body',
    'hubspot_owner_id', 'hs_attachment_ids',
  ],
};

/** Enumerated properties per type, with HubSpot's options. */
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

/** What a create must set: engagements need their timeline time; a communication its channel and origin. */
const REQUIRED: Record<ObjectType, string[]> = {
  contacts: [],
  calls: ['hs_timestamp'],
  communications: ['hs_timestamp', 'hs_communication_channel_type', 'hs_communication_logged_from'],
};

export class ObjectStore {
  readonly objects = new Map<string, CrmObject>();

  constructor(
    readonly type: ObjectType,
    private readonly nextId: () => string,
    readonly known: Set<string>,
  ) {}

  /** HubSpot's property validation: unknown names, read-only names, enumerations. */
  checkProperties(props: Record<string, string>, creating: boolean) {
    const bad: { name: string; error: string; message: string }[] = [];
    for (const [name, value] of Object.entries(props)) {
      if (!this.known.has(name)) bad.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      else if (READ_ONLY[this.type].includes(name)) bad.push({ name, error: 'READ_ONLY_VALUE', message: `${name} is a read only property; its value cannot be set.` });
      else if (ENUMS[this.type]?.[name] && value !== '' && !ENUMS[this.type]![name]!.includes(value)) {
        bad.push({ name, error: 'INVALID_OPTION', message: `${value} was not one of the allowed options: ${ENUMS[this.type]![name]!.join(', ')}` });
      } else if (name === 'hs_timestamp' && value !== '' && Number.isNaN(parseTime(value))) {
        bad.push({ name, error: 'INVALID_DATETIME', message: `${value} is not a valid datetime` });
      }
    }
    if (creating) {
      for (const name of REQUIRED[this.type]) if (!props[name]) bad.push({ name, error: 'REQUIRED_PROPERTY', message: `${name} is required` });
    }
    if (bad.length) {
      const first = bad[0]!;
      throw validation(`Property values were not valid: ${JSON.stringify(bad.map((b) => ({ isValid: false, ...b })))}`, {
        errors: bad.map((b) => ({ message: b.message, code: b.error, context: { propertyName: [b.name] } })),
        context: { propertyName: [first.name] },
      });
    }
  }

  create(props: Record<string, string>, at = new Date()): CrmObject {
    const id = this.nextId();
    const iso = at.toISOString();
    const stamps: Record<string, string> = this.type === 'contacts'
      ? { createdate: iso, lastmodifieddate: iso, hs_lastmodifieddate: iso, hs_createdate: iso }
      : { hs_createdate: iso, hs_lastmodifieddate: iso };
    const obj: CrmObject = { id, properties: { ...clean(props), ...stamps, hs_object_id: id }, createdAt: at, updatedAt: at, archived: false };
    this.objects.set(id, obj);
    return obj;
  }

  update(id: string, props: Record<string, string>, at = new Date()): CrmObject | undefined {
    const obj = this.get(id);
    if (!obj) return undefined;
    Object.assign(obj.properties, clean(props));
    // An empty string clears a property in HubSpot.
    for (const [k, v] of Object.entries(props)) if (v === '') delete obj.properties[k];
    this.touch(obj, at);
    return obj;
  }

  touch(obj: CrmObject, at = new Date()) {
    // Two writes in one millisecond must still move the cursor a sync pages on.
    const when = at.getTime() <= obj.updatedAt.getTime() ? new Date(obj.updatedAt.getTime() + 1) : at;
    obj.updatedAt = when;
    obj.properties.hs_lastmodifieddate = when.toISOString();
    if (this.type === 'contacts') obj.properties.lastmodifieddate = when.toISOString();
  }

  archive(obj: CrmObject, at = new Date()) {
    obj.archived = true;
    obj.archivedAt = at;
  }

  get(id: string): CrmObject | undefined {
    const obj = this.objects.get(id);
    return obj && !obj.archived ? obj : undefined;
  }

  live(): CrmObject[] {
    return [...this.objects.values()].filter((o) => !o.archived);
  }

  /** Finds a live object by a property's value (email compares without case, as HubSpot does). */
  findBy(property: string, value: string): CrmObject | undefined {
    const norm = (v: string | undefined) => (property === 'email' ? v?.toLowerCase() : v);
    return this.live().find((o) => norm(o.properties[property]) === norm(value));
  }
}

function clean(props: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== ''));
}

/** A HubSpot datetime value: epoch milliseconds, or ISO 8601. */
export function parseTime(value: string): number {
  return /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
}

/** The object as the API answers it, with the properties asked for (unset ones as null). */
export function toJson(obj: CrmObject, type: ObjectType, wanted?: string[]) {
  const names = wanted?.length ? [...new Set([...ALWAYS[type], ...wanted])] : DEFAULT_PROPERTIES[type];
  const properties: Record<string, string | null> = {};
  for (const n of names) properties[n] = obj.properties[n] ?? null;
  return {
    id: obj.id,
    properties,
    createdAt: obj.createdAt.toISOString(),
    updatedAt: obj.updatedAt.toISOString(),
    archived: obj.archived,
    ...(obj.archivedAt ? { archivedAt: obj.archivedAt.toISOString() } : {}),
  };
}
