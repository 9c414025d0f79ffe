// Engagement ↔ contact associations (calls and communications): inline on create (v3
// `associations`), and the v4 endpoints (labelled create, default create, batch create,
// list). HubSpot defines 194/193 for call→contact/contact→call and 81/82 for
// communication→contact/contact→communication; an association to a record that does not
// exist is refused before anything is written.
// https://developers.hubspot.com/docs/api/crm/associations/v4
import { checkBody } from './contract.ts';
import { notFound, validation } from './errors.ts';
import {
  CALL_TO_CONTACT,
  COMMUNICATION_TO_CONTACT,
  CONTACT_TO_CALL,
  CONTACT_TO_COMMUNICATION,
  OBJECT_TYPE_IDS,
  objectTypeNamed,
  objectTypeOf,
  type EngagementType,
  type ObjectStore,
  type ObjectType,
} from './store.ts';
import type { Route } from './server.ts';

export interface AssociationSpec {
  associationCategory: string;
  associationTypeId: number;
}
export interface InlineAssociation {
  to: { id: string };
  types: AssociationSpec[];
}
/** One stored link, always kept from the engagement's side (`typeId` is the engagement→contact type). */
export interface SimAssociation {
  objectType: EngagementType;
  objectId: string;
  contactId: string;
  typeId: number;
}

/** The HUBSPOT_DEFINED type of each direction the simulator keeps. */
const DEFINED: { from: ObjectType; to: ObjectType; typeId: number; label: string }[] = [
  { from: 'calls', to: 'contacts', typeId: CALL_TO_CONTACT, label: 'call_to_contact' },
  { from: 'contacts', to: 'calls', typeId: CONTACT_TO_CALL, label: 'contact_to_call' },
  { from: 'communications', to: 'contacts', typeId: COMMUNICATION_TO_CONTACT, label: 'communication_to_contact' },
  { from: 'contacts', to: 'communications', typeId: CONTACT_TO_COMMUNICATION, label: 'contact_to_communication' },
];

/** HubSpot's default type from `from` to `to`, or a 400 for a pair the simulator does not keep. */
export function definedType(from: ObjectType, to: ObjectType) {
  const d = DEFINED.find((x) => x.from === from && x.to === to);
  if (!d) throw validation(`associations from ${from} to ${to} are not simulated`);
  return d;
}

const singular = (t: ObjectType) => t.slice(0, -1).toUpperCase();

export class Associations {
  readonly links: SimAssociation[] = [];

  constructor(private readonly stores: Record<ObjectType, ObjectStore>) {}

  objectType(name: string): ObjectType {
    return objectTypeOf(name);
  }

  /** Checks one association of `from` (an object being created, or existing) to `to`'s record `toId`. */
  check(from: ObjectType, to: ObjectType, toId: string, types: AssociationSpec[]) {
    const expected = definedType(from, to).typeId;
    if (!types.length) throw validation('types must name at least one association type');
    for (const t of types) {
      if (t.associationCategory !== 'HUBSPOT_DEFINED' || t.associationTypeId !== expected) {
        throw validation(`${t.associationCategory} association type ${t.associationTypeId} is not valid from ${from} to ${to}; HubSpot defines ${expected}`, {
          context: { associationTypeId: [String(t.associationTypeId)] },
        });
      }
    }
    if (!this.stores[to].get(toId)) {
      throw validation(`One or more associations are invalid: ${singular(to)} ${toId} does not exist`, {
        subCategory: 'crm.associations.INVALID_OBJECT_IDS',
        context: { toObjectId: [toId] },
      });
    }
  }

  /** An inline association names no target type: its type id says which (194 → a contact). */
  inlineTarget(from: ObjectType, a: InlineAssociation): ObjectType {
    const id = a.types[0]?.associationTypeId;
    const d = DEFINED.find((x) => x.from === from && x.typeId === id);
    if (!d) {
      throw validation(
        `association type ${String(id)} is not valid from ${from}; HubSpot defines ${
          DEFINED.filter((x) => x.from === from)
            .map((x) => x.typeId)
            .join(', ') || 'none simulated'
        }`,
        {
          context: { associationTypeId: [String(id)] },
        },
      );
    }
    return d.to;
  }

  checkInline(from: ObjectType, a: InlineAssociation) {
    this.check(from, this.inlineTarget(from, a), a.to.id, a.types);
  }

  linkInline(from: ObjectType, id: string, a: InlineAssociation) {
    this.link(from, id, this.inlineTarget(from, a), a.to.id);
  }

  link(from: ObjectType, fromId: string, to: ObjectType, toId: string) {
    const [objectType, objectId, contactId] = from === 'contacts' ? [to as EngagementType, toId, fromId] : [from, fromId, toId];
    if (!this.links.some((l) => l.objectType === objectType && l.objectId === objectId && l.contactId === contactId)) {
      this.links.push({ objectType, objectId, contactId, typeId: definedType(objectType, 'contacts').typeId });
    }
  }

  /** Ids of `to`'s records linked to `from`'s record `id`. */
  others(from: ObjectType, id: string, to: ObjectType): string[] {
    if (from === 'contacts') return this.links.filter((l) => l.objectType === to && l.contactId === id).map((l) => l.objectId);
    return to === 'contacts' ? this.links.filter((l) => l.objectType === from && l.objectId === id).map((l) => l.contactId) : [];
  }

  /** The v3 `associations` member of a GET with `?associations=…`. */
  inlineView(from: ObjectType, id: string, wanted: string[]) {
    const out: Record<string, { results: { id: string; type: string }[] }> = {};
    for (const w of wanted) {
      const t = objectTypeNamed(w);
      if (!t || t === from || !DEFINED.some((d) => d.from === from && d.to === t)) continue;
      const ids = this.others(from, id, t);
      if (ids.length) out[t] = { results: ids.map((i) => ({ id: i, type: definedType(from, t).label })) };
    }
    return out;
  }

  labelsPair(from: ObjectType, fromId: string, to: ObjectType, toId: string) {
    return { fromObjectTypeId: OBJECT_TYPE_IDS[from], fromObjectId: fromId, toObjectTypeId: OBJECT_TYPE_IDS[to], toObjectId: toId, labels: [] };
  }
}

const V4 = '/crm/v4';
const SEG = '([^/]+)';

export function associationRoutes(assoc: Associations, stores: Record<ObjectType, ObjectStore>): Route[] {
  const existing = (type: ObjectType, id: string) => {
    if (!stores[type].get(id)) throw notFound(`${singular(type)} ${id} does not exist`);
  };
  const pair = (fromName: string, toName: string) => {
    const from = assoc.objectType(fromName);
    const to = assoc.objectType(toName);
    definedType(from, to);
    return { from, to };
  };
  const batchTimes = (started: Date) => ({ status: 'COMPLETE', startedAt: started.toISOString(), completedAt: new Date().toISOString() });
  return [
    {
      method: 'PUT',
      pattern: new RegExp(`^${V4}/objects/${SEG}/${SEG}/associations/default/${SEG}/${SEG}$`),
      handler: ({ match }) => {
        const { from, to } = pair(match[1]!, match[3]!);
        const [fromId, toId] = [match[2]!, match[4]!];
        existing(from, fromId);
        const spec = { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: definedType(from, to).typeId };
        assoc.check(from, to, toId, [spec]);
        assoc.link(from, fromId, to, toId);
        return { status: 200, json: { ...batchTimes(new Date()), results: [{ from: { id: fromId }, to: { id: toId }, associationSpec: spec }] } };
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^${V4}/objects/${SEG}/${SEG}/associations/${SEG}/${SEG}$`),
      handler: ({ match, body }) => {
        const problem = checkBody('associations/put', body);
        if (problem) throw problem;
        const { from, to } = pair(match[1]!, match[3]!);
        const [fromId, toId] = [match[2]!, match[4]!];
        existing(from, fromId);
        assoc.check(from, to, toId, body as AssociationSpec[]);
        assoc.link(from, fromId, to, toId);
        return { status: 201, json: assoc.labelsPair(from, fromId, to, toId) };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${V4}/objects/${SEG}/${SEG}/associations/${SEG}$`),
      handler: ({ match }) => {
        const { from, to } = pair(match[1]!, match[3]!);
        existing(from, match[2]!);
        const results = assoc.others(from, match[2]!, to).map((id) => ({
          toObjectId: id,
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: definedType(from, to).typeId, label: null }],
        }));
        return { status: 200, json: { results } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${V4}/associations/${SEG}/${SEG}/batch/create$`),
      handler: ({ match, body }) => {
        const problem = checkBody('associations/batch/create', body);
        if (problem) throw problem;
        const started = new Date();
        const { from, to } = pair(match[1]!, match[2]!);
        const inputs = (body as { inputs: { from: { id: string }; to: { id: string }; types: AssociationSpec[] }[] }).inputs;
        if (inputs.length > 2000) throw validation('inputs may hold at most 2000 associations');
        const results = [];
        const errors = [];
        for (const input of inputs) {
          try {
            existing(from, input.from.id);
            assoc.check(from, to, input.to.id, input.types);
            assoc.link(from, input.from.id, to, input.to.id);
            results.push(assoc.labelsPair(from, input.from.id, to, input.to.id));
          } catch (err) {
            const e = err as Error & { category?: string; extra?: { context?: unknown } };
            errors.push({
              status: 'error',
              category: e.category ?? 'VALIDATION_ERROR',
              message: e.message,
              context: e.extra?.context ?? {},
              errors: [],
              links: {},
            });
          }
        }
        if (!errors.length) return { status: 201, json: { ...batchTimes(started), results } };
        return { status: 207, json: { ...batchTimes(started), results, numErrors: errors.length, errors } };
      },
    },
  ];
}
