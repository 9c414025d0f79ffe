// Call ↔ contact associations: inline on create (v3 `associations`), and the v4
// endpoints (labelled create, default create, batch create, list). HubSpot defines type
// 194 for call→contact and 193 for contact→call; an association to a contact that does
// not exist is refused before anything is written.
// https://developers.hubspot.com/docs/api/crm/associations/v4
import type { Contract } from './contract.ts';
import { notFound, validation } from './errors.ts';
import { CALL_TO_CONTACT, CONTACT_TO_CALL, OBJECT_TYPE_IDS, type ObjectStore, type ObjectType } from './store.ts';
import type { Route } from './server.ts';

export interface AssociationSpec {
  associationCategory: string;
  associationTypeId: number;
}
export interface InlineAssociation {
  to: { id: string };
  types: AssociationSpec[];
}
/** One stored link, always kept from the call's side. */
export interface SimAssociation {
  callId: string;
  contactId: string;
  typeId: number;
}

const FILE = 'associations-v4.json';
const NAMES: Record<string, ObjectType> = { contacts: 'contacts', contact: 'contacts', '0-1': 'contacts', calls: 'calls', call: 'calls', '0-48': 'calls' };
/** The HUBSPOT_DEFINED type id for each direction. */
const TYPE_ID: Record<ObjectType, number> = { calls: CALL_TO_CONTACT, contacts: CONTACT_TO_CALL };
const LABEL_TYPE: Record<ObjectType, string> = { calls: 'call_to_contact', contacts: 'contact_to_call' };

export class Associations {
  readonly links: SimAssociation[] = [];

  constructor(private readonly stores: Record<ObjectType, ObjectStore>) {}

  objectType(name: string): ObjectType {
    const t = NAMES[name.toLowerCase()];
    if (!t) throw validation(`Unable to infer object type from: ${name} (the simulator keeps contacts and calls)`);
    return t;
  }

  /** Checks one association of `from` (an object being created, or existing) to the other type. */
  check(from: ObjectType, toId: string, types: AssociationSpec[]) {
    const to: ObjectType = from === 'calls' ? 'contacts' : 'calls';
    if (!types.length) throw validation('types must name at least one association type');
    for (const t of types) {
      if (t.associationCategory !== 'HUBSPOT_DEFINED' || t.associationTypeId !== TYPE_ID[from]) {
        throw validation(`${t.associationCategory} association type ${t.associationTypeId} is not valid from ${from} to ${to}; HubSpot defines ${TYPE_ID[from]}`, {
          context: { associationTypeId: [String(t.associationTypeId)] },
        });
      }
    }
    if (!this.stores[to].get(toId)) {
      throw validation(`One or more associations are invalid: ${to.slice(0, -1).toUpperCase()} ${toId} does not exist`, { subCategory: 'crm.associations.INVALID_OBJECT_IDS', context: { toObjectId: [toId] } });
    }
  }

  checkInline(from: ObjectType, a: InlineAssociation) {
    if (from !== 'calls' && from !== 'contacts') throw validation(`associations are not simulated from ${from}`);
    this.check(from, a.to.id, a.types);
  }

  linkInline(from: ObjectType, id: string, a: InlineAssociation) {
    this.link(from, id, a.to.id);
  }

  link(from: ObjectType, fromId: string, toId: string) {
    const [callId, contactId] = from === 'calls' ? [fromId, toId] : [toId, fromId];
    if (!this.links.some((l) => l.callId === callId && l.contactId === contactId)) this.links.push({ callId, contactId, typeId: CALL_TO_CONTACT });
  }

  /** Ids on the other side of `from`/`id`. */
  others(from: ObjectType, id: string): string[] {
    return from === 'calls' ? this.links.filter((l) => l.callId === id).map((l) => l.contactId) : this.links.filter((l) => l.contactId === id).map((l) => l.callId);
  }

  /** The v3 `associations` member of a GET with `?associations=…`. */
  inlineView(from: ObjectType, id: string, wanted: string[]) {
    const out: Record<string, { results: { id: string; type: string }[] }> = {};
    for (const w of wanted) {
      const t = NAMES[w.toLowerCase()];
      if (!t || t === from) continue;
      const ids = this.others(from, id);
      if (ids.length) out[t] = { results: ids.map((i) => ({ id: i, type: LABEL_TYPE[from] })) };
    }
    return out;
  }

  labelsPair(from: ObjectType, fromId: string, toId: string) {
    const to: ObjectType = from === 'calls' ? 'contacts' : 'calls';
    return { fromObjectTypeId: OBJECT_TYPE_IDS[from], fromObjectId: fromId, toObjectTypeId: OBJECT_TYPE_IDS[to], toObjectId: toId, labels: [] };
  }
}

const V4 = '/crm/v4';
const SEG = '([^/]+)';

export function associationRoutes(assoc: Associations, stores: Record<ObjectType, ObjectStore>, contract: Contract): Route[] {
  const existing = (type: ObjectType, id: string) => {
    if (!stores[type].get(id)) throw notFound(`${type.slice(0, -1).toUpperCase()} ${id} does not exist`);
  };
  const pair = (fromName: string, toName: string) => {
    const from = assoc.objectType(fromName);
    const to = assoc.objectType(toName);
    if (from === to) throw validation(`associations between ${from} and ${to} are not simulated`);
    return { from, to };
  };
  const batchTimes = (started: Date) => ({ status: 'COMPLETE', startedAt: started.toISOString(), completedAt: new Date().toISOString() });
  return [
    {
      method: 'PUT',
      pattern: new RegExp(`^${V4}/objects/${SEG}/${SEG}/associations/default/${SEG}/${SEG}$`),
      handler: ({ match }) => {
        const { from } = pair(match[1]!, match[3]!);
        const [fromId, toId] = [match[2]!, match[4]!];
        existing(from, fromId);
        assoc.check(from, toId, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: from === 'calls' ? CALL_TO_CONTACT : CONTACT_TO_CALL }]);
        assoc.link(from, fromId, toId);
        const spec = { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: from === 'calls' ? CALL_TO_CONTACT : CONTACT_TO_CALL };
        return { status: 200, json: { ...batchTimes(new Date()), results: [{ from: { id: fromId }, to: { id: toId }, associationSpec: spec }] } };
      },
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^${V4}/objects/${SEG}/${SEG}/associations/${SEG}/${SEG}$`),
      handler: ({ match, body }) => {
        const problem = contract.check(FILE, `${V4}/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}`, 'put', body);
        if (problem) throw problem;
        const { from } = pair(match[1]!, match[3]!);
        const [fromId, toId] = [match[2]!, match[4]!];
        existing(from, fromId);
        assoc.check(from, toId, body as AssociationSpec[]);
        assoc.link(from, fromId, toId);
        return { status: 201, json: assoc.labelsPair(from, fromId, toId) };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${V4}/objects/${SEG}/${SEG}/associations/${SEG}$`),
      handler: ({ match }) => {
        const { from } = pair(match[1]!, match[3]!);
        existing(from, match[2]!);
        const results = assoc.others(from, match[2]!).map((id) => ({
          toObjectId: id,
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: from === 'calls' ? CALL_TO_CONTACT : CONTACT_TO_CALL, label: null }],
        }));
        return { status: 200, json: { results } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${V4}/associations/${SEG}/${SEG}/batch/create$`),
      handler: ({ match, body }) => {
        const problem = contract.check(FILE, `${V4}/associations/{fromObjectType}/{toObjectType}/batch/create`, 'post', body);
        if (problem) throw problem;
        const started = new Date();
        const { from } = pair(match[1]!, match[2]!);
        const inputs = (body as { inputs: { from: { id: string }; to: { id: string }; types: AssociationSpec[] }[] }).inputs;
        if (inputs.length > 2000) throw validation('inputs may hold at most 2000 associations');
        const results = [];
        const errors = [];
        for (const input of inputs) {
          try {
            existing(from, input.from.id);
            assoc.check(from, input.to.id, input.types);
            assoc.link(from, input.from.id, input.to.id);
            results.push(assoc.labelsPair(from, input.from.id, input.to.id));
          } catch (err) {
            const e = err as Error & { category?: string; extra?: { context?: unknown } };
            errors.push({ status: 'error', category: e.category ?? 'VALIDATION_ERROR', message: e.message, context: e.extra?.context ?? {}, errors: [], links: {} });
          }
        }
        if (!errors.length) return { status: 201, json: { ...batchTimes(started), results } };
        return { status: 207, json: { ...batchTimes(started), results, numErrors: errors.length, errors } };
      },
    },
  ];
}
