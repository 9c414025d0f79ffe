// The CRM's state: contacts, calls and communications (engagements) as HubSpot keeps them —
// string properties, numeric string ids, createdAt/updatedAt, a last-modified property
// bumped on every write — and the engagement↔contact associations between them.
import { validation } from './errors.ts';
import type { PropertyRegistry } from './properties.ts';

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

const NAMES: Record<string, ObjectType> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  calls: 'calls',
  call: 'calls',
  '0-48': 'calls',
  communications: 'communications',
  communication: 'communications',
  '0-18': 'communications',
};

/** An object type as a path names it (plural, singular or type id), if the simulator keeps it. */
export const objectTypeNamed = (name: string): ObjectType | undefined => NAMES[name.toLowerCase()];

/** The same, with HubSpot's 400 for a type the simulator does not keep. */
export function objectTypeOf(name: string): ObjectType {
  const t = objectTypeNamed(name);
  if (!t) throw validation(`Unable to infer object type from: ${name} (the simulator keeps contacts, calls and communications)`);
  return t;
}

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
    /** The portal's definitions of this type's properties. */
    readonly props: PropertyRegistry,
  ) {}

  /** HubSpot's property validation: unknown names, read-only names, values their definitions refuse. */
  checkProperties(props: Record<string, string>, creating: boolean) {
    const bad: { name: string; error: string; message: string }[] = [];
    for (const [name, value] of Object.entries(props)) {
      const def = this.props.get(name);
      const refusal = !def
        ? { error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` }
        : def.readOnlyValue
          ? { error: 'READ_ONLY_VALUE', message: `${name} is a read only property; its value cannot be set.` }
          : this.props.refusal(def, value);
      if (refusal) bad.push({ name, ...refusal });
    }
    if (creating) {
      for (const name of REQUIRED[this.type]) if (!props[name]) bad.push({ name, error: 'REQUIRED_PROPERTY', message: `${name} is required` });
    }
    if (bad.length) {
      const first = bad[0]!;
      // HubSpot's validation results: { isValid, message, error, name, localizedErrorMessage }.
      const results = bad.map((b) => ({ isValid: false, message: b.message, error: b.error, name: b.name, localizedErrorMessage: b.message }));
      throw validation(`Property values were not valid: ${JSON.stringify(results)}`, {
        errors: bad.map((b) => ({ message: b.message, code: b.error, context: { propertyName: [b.name] } })),
        context: { propertyName: [first.name] },
      });
    }
  }

  create(props: Record<string, string>, at = new Date()): CrmObject {
    const id = this.nextId();
    const iso = at.toISOString();
    const stamps: Record<string, string> =
      this.type === 'contacts'
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
