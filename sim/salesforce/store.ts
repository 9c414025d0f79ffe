// The org's data: records of every type by id, written only through checks that mirror
// Salesforce's (required fields, system fields, types, restricted picklists, WhoId
// references). Every write stamps LastModifiedDate and SystemModstamp; Salesforce keeps
// them to the second, which is why incremental syncs must order by SystemModstamp, Id.
import { randomUUID } from 'node:crypto';
import { KEY_PREFIX, makeIdFactory, normaliseId } from './ids.ts';
import { findField, OrgSchema, type Field, type SObjectType } from './schema.ts';
import { SaveFailure, type SaveError } from './errors.ts';

export type Value = string | number | boolean | null;
export interface PublishedEvent {
  type: string;
  fields: Record<string, Value>;
  /** The EventUuid the publish call answered with. */
  uuid: string;
  publishedAt: string;
}
/** Datetimes are held as ISO strings ending in `.000Z`, so string order is time order. */
export type SfRecord = Record<string, Value>;

export function isoSecond(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

export class Org {
  readonly orgId: string;
  readonly userId: string;
  private readonly byId = new Map<string, { type: SObjectType; rec: SfRecord }>();
  readonly newId = makeIdFactory();
  /** Standard fields plus the custom fields and platform events deployed to this org. */
  readonly schema = new OrgSchema();
  /** Platform event messages published to this org, oldest first. */
  readonly published: PublishedEvent[] = [];

  constructor(readonly now: () => number) {
    this.orgId = this.newId(KEY_PREFIX.Org);
    this.userId = this.newId(KEY_PREFIX.User);
  }

  /** Live records of a type in creation order; `withDeleted` adds the recycle bin (queryAll). */
  list(type: SObjectType, withDeleted = false): SfRecord[] {
    const out: SfRecord[] = [];
    for (const { type: t, rec } of this.byId.values()) if (t === type && (withDeleted || rec.IsDeleted !== true)) out.push(rec);
    return out;
  }

  find(id: string, withDeleted = false): { type: SObjectType; rec: SfRecord } | undefined {
    const norm = normaliseId(id);
    const hit = norm ? this.byId.get(norm) : undefined;
    return hit && (withDeleted || hit.rec.IsDeleted !== true) ? hit : undefined;
  }

  /** Checks a write and returns the canonical field values, or the errors Salesforce would give. */
  check(type: SObjectType, body: Record<string, unknown>, existing?: SfRecord): { values: SfRecord } | { errors: SaveError[] } {
    return this.checkFields(type, this.schema.fields(type), body, existing);
  }

  /** The checks of `check` against a list of fields (an sObject's, or a platform event's). */
  checkFields(type: string, fields: Field[], body: Record<string, unknown>, existing?: SfRecord): { values: SfRecord } | { errors: SaveError[] } {
    const values: SfRecord = {};
    const errors: SaveError[] = [];
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'attributes' || (existing && key.toLowerCase() === 'id')) continue;
      const field = findField(type as SObjectType, key, fields);
      if (!field) {
        errors.push({ statusCode: 'INVALID_FIELD', message: `No such column '${key}' on sobject of type ${type}`, fields: [] });
        continue;
      }
      if (field.system) {
        readOnly.push(field.name);
        continue;
      }
      const bad = (why = `value not of required type: ${String(raw)}`) =>
        errors.push({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', message: `${field.name}: ${why}`, fields: [field.name] });
      if (raw === null || raw === '') {
        values[field.name] = null;
      } else if (field.kind === 'boolean') {
        if (typeof raw === 'boolean') values[field.name] = raw;
        else if (raw === 'true' || raw === 'false') values[field.name] = raw === 'true';
        else bad();
      } else if (field.kind === 'int') {
        const n = typeof raw === 'string' ? Number(raw) : raw;
        if (typeof n === 'number' && Number.isInteger(n)) values[field.name] = n;
        else bad();
      } else if (field.kind === 'datetime') {
        // The REST API takes ISO 8601 with a zone (Z or ±hh:mm / ±hhmm); held as …Z like the rest.
        const ms =
          typeof raw === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(raw)
            ? Date.parse(raw.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'))
            : NaN;
        if (Number.isNaN(ms)) bad();
        else values[field.name] = new Date(ms).toISOString();
      } else if (field.kind === 'date') {
        if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw))) values[field.name] = raw;
        else bad();
      } else if (typeof raw !== 'string' && typeof raw !== 'number') {
        bad();
      } else if (field.kind === 'picklist' && !field.values?.includes(String(raw))) {
        errors.push({
          statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: `${field.name}: bad value for restricted picklist field: ${String(raw)}`,
          fields: [field.name],
        });
      } else if (field.kind === 'reference') {
        const target = this.find(String(raw));
        if (!target || (target.type !== 'Contact' && target.type !== 'Lead')) {
          errors.push({ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `invalid cross reference id`, fields: [field.name] });
        } else values[field.name] = target.rec.Id as string;
      } else {
        values[field.name] = String(raw);
      }
    }
    if (readOnly.length) {
      errors.push({
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: readOnly,
      });
    }
    const missing = fields.filter((f) => f.required && (existing ? f.name in values : true) && (values[f.name] ?? null) === null).map((f) => f.name);
    if (missing.length) errors.push({ statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing });
    return errors.length ? { errors } : { values };
  }

  /**
   * Publishes a platform event message, as POST /sobjects/Name__e does: checked like a record,
   * kept in `published` (subscribers are outside the simulation), answered with the event's
   * UUID in an OPERATION_ENQUEUED status, since high-volume events are published asynchronously.
   * https://developer.salesforce.com/docs/atlas.en-us.platform_events.meta/platform_events/platform_events_publish_api.htm
   */
  publish(name: string, body: Record<string, unknown>): { id: string; uuid: string } {
    const event = this.schema.event(name);
    if (!event) throw new Error(`no platform event ${name}`);
    const checked = this.checkFields(event.name, event.fields, body);
    if ('errors' in checked) throw new SaveFailure(checked.errors);
    const uuid = randomUUID();
    this.published.push({ type: event.name, fields: checked.values, uuid, publishedAt: new Date(this.now()).toISOString() });
    return { id: this.newId(KEY_PREFIX.PlatformEvent), uuid };
  }

  /** Stores checked values as a new record. */
  create(type: SObjectType, values: SfRecord): SfRecord {
    const stamp = isoSecond(this.now());
    const rec: SfRecord = {};
    for (const f of this.schema.fields(type)) rec[f.name] = f.default ?? null;
    Object.assign(rec, values, { Id: this.newId(KEY_PREFIX[type]), IsDeleted: false, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp });
    this.byId.set(rec.Id as string, { type, rec });
    return rec;
  }

  /** Applies checked values to an existing record. */
  apply(rec: SfRecord, values: SfRecord): SfRecord {
    const stamp = isoSecond(this.now());
    Object.assign(rec, values, { LastModifiedDate: stamp, SystemModstamp: stamp });
    return rec;
  }

  insert(type: SObjectType, body: Record<string, unknown>): SfRecord {
    const checked = this.check(type, body);
    if ('errors' in checked) throw new SaveFailure(checked.errors);
    return this.create(type, checked.values);
  }

  update(id: string, body: Record<string, unknown>): SfRecord {
    const hit = this.find(id);
    if (!hit) throw new SaveFailure([{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }]);
    const checked = this.check(hit.type, body, hit.rec);
    if ('errors' in checked) throw new SaveFailure(checked.errors);
    return this.apply(hit.rec, checked.values);
  }

  /** Soft delete: the record goes to the recycle bin, visible to queryAll with IsDeleted = true. */
  remove(id: string): boolean {
    const hit = this.find(id);
    if (!hit) return false;
    this.apply(hit.rec, { IsDeleted: true });
    return true;
  }
}
