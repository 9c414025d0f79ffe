// CRM objects v3 routes for contacts, calls and communications: create, read, update,
// archive, list, the batch endpoints (100 inputs at most) and search. Bodies are checked
// against HubSpot's request shapes first (contract.ts); answers use its response shapes and status codes — the
// official client treats any status other than the documented one as an error, even a 2xx.
import { checkBody, type BodyName } from './contract.ts';
import { HubspotApiError, notFound, validation } from './errors.ts';
import type { Associations, InlineAssociation } from './associations.ts';
import { search, type SearchRequest } from './search.ts';
import { toJson, type CrmObject, type ObjectStore, type ObjectType } from './store.ts';
import type { Route } from './server.ts';

const BATCH_MAX = 100;
const LIST_MAX = 100;

type Props = Record<string, string>;
interface CreateInput {
  properties: Props;
  associations?: InlineAssociation[];
}
interface UpdateInput {
  id: string;
  idProperty?: string;
  properties: Props;
}

/** `properties=a,b&properties=c` — the client repeats the parameter, people write commas. */
export function propertyList(query: URLSearchParams, name = 'properties'): string[] | undefined {
  const all = query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return all.length ? all : undefined;
}

function batchTimes(startedAt: Date) {
  return { status: 'COMPLETE', startedAt: startedAt.toISOString(), completedAt: new Date().toISOString() };
}

function notFoundIds(type: ObjectType, ids: string[]) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${type.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids },
    errors: [],
    links: {},
  };
}

// Contacts, calls and communications share the generic CRM objects v3 endpoints and bodies.
export function objectRoutes(type: ObjectType, store: ObjectStore, assoc: Associations): Route[] {
  const base = `/crm/v3/objects/${type}`;
  const check = (name: BodyName, body: unknown) => {
    const problem = checkBody(name, body);
    if (problem) throw problem;
  };
  const checkBatch = (inputs: unknown[]) => {
    if (inputs.length > BATCH_MAX)
      throw validation(`Batch input size ${inputs.length} exceeds the limit: inputs may hold at most ${BATCH_MAX}.`, {
        context: { inputs: [String(inputs.length)] },
      });
  };
  const find = (id: string, idProperty?: string): CrmObject | undefined => (idProperty ? store.findBy(idProperty, id) : store.get(id));
  const conflict = (props: Props) => {
    if (type !== 'contacts' || !props.email) return;
    const existing = store.findBy('email', props.email);
    if (existing) throw new HubspotApiError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
  };
  const createOne = (input: CreateInput): CrmObject => {
    store.checkProperties(input.properties, true);
    conflict(input.properties);
    for (const a of input.associations ?? []) assoc.checkInline(type, a);
    const obj = store.create(input.properties);
    for (const a of input.associations ?? []) assoc.linkInline(type, obj.id, a);
    return obj;
  };

  return [
    {
      method: 'POST',
      pattern: new RegExp(`^${base}$`),
      handler: ({ body }) => {
        check('create', body);
        return { status: 201, json: toJson(createOne(body as CreateInput), type, Object.keys((body as CreateInput).properties)) };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${base}$`),
      handler: ({ query }) => {
        const limit = Number(query.get('limit') ?? 10);
        if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX) throw validation(`limit must be between 1 and ${LIST_MAX}`);
        const all = store.live().sort((a, b) => Number(a.id) - Number(b.id));
        const after = query.get('after');
        const start = after ? all.findIndex((o) => Number(o.id) >= Number(after)) : 0;
        const page = start < 0 ? [] : all.slice(start, start + limit);
        const next = start < 0 ? undefined : all[start + limit];
        return {
          status: 200,
          json: {
            results: page.map((o) => toJson(o, type, propertyList(query))),
            ...(next ? { paging: { next: { after: next.id, link: `${base}?after=${next.id}` } } } : {}),
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${base}/([^/]+)$`),
      handler: ({ match, query }) => {
        const obj = find(decodeURIComponent(match[1]!), query.get('idProperty') ?? undefined);
        if (!obj) throw notFound();
        const json = toJson(obj, type, propertyList(query));
        const wanted = propertyList(query, 'associations');
        return { status: 200, json: wanted ? { ...json, associations: assoc.inlineView(type, obj.id, wanted) } : json };
      },
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^${base}/([^/]+)$`),
      handler: ({ match, query, body }) => {
        check('update', body);
        const props = (body as { properties: Props }).properties;
        const obj = find(decodeURIComponent(match[1]!), query.get('idProperty') ?? undefined);
        if (!obj) throw notFound();
        store.checkProperties(props, false);
        store.update(obj.id, props);
        return { status: 200, json: toJson(obj, type, Object.keys(props)) };
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`^${base}/([^/]+)$`),
      handler: ({ match }) => {
        // Archiving something already gone is still a 204 at HubSpot.
        const obj = store.get(decodeURIComponent(match[1]!));
        if (obj) store.archive(obj);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/batch/read$`),
      handler: ({ body, query }) => {
        check('batch/read', body);
        const started = new Date();
        const b = body as { inputs: { id: string }[]; properties?: string[]; idProperty?: string };
        checkBatch(b.inputs);
        const found: CrmObject[] = [];
        const missing: string[] = [];
        const archived = query.get('archived') === 'true';
        for (const { id } of b.inputs) {
          const obj = archived ? store.objects.get(id) : find(id, b.idProperty);
          if (obj && (!archived || obj.archived)) found.push(obj);
          else missing.push(id);
        }
        const results = [...new Map(found.map((o) => [o.id, o])).values()].map((o) => toJson(o, type, b.properties));
        if (!missing.length) return { status: 200, json: { ...batchTimes(started), results } };
        return { status: 207, json: { ...batchTimes(started), results, numErrors: 1, errors: [notFoundIds(type, missing)] } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/batch/create$`),
      handler: ({ body }) => {
        check('batch/create', body);
        const started = new Date();
        const inputs = (body as { inputs: CreateInput[] }).inputs;
        checkBatch(inputs);
        // All or nothing, as HubSpot: one bad input fails the batch before anything is written.
        for (const input of inputs) {
          store.checkProperties(input.properties, true);
          conflict(input.properties);
          for (const a of input.associations ?? []) assoc.checkInline(type, a);
        }
        const created = inputs.map(createOne);
        return { status: 201, json: { ...batchTimes(started), results: created.map((o, i) => toJson(o, type, Object.keys(inputs[i]!.properties))) } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/batch/update$`),
      handler: ({ body }) => {
        check('batch/update', body);
        const started = new Date();
        const inputs = (body as { inputs: UpdateInput[] }).inputs;
        checkBatch(inputs);
        const dupes = [...new Set(inputs.map((i) => i.id).filter((id, n, all) => all.indexOf(id) !== n))];
        if (dupes.length) throw validation(`Duplicate IDs found in batch input: [${dupes.join(', ')}]. IDs must be unique`, { context: { ids: dupes } });
        for (const input of inputs) store.checkProperties(input.properties, false);
        const results: CrmObject[] = [];
        const missing: string[] = [];
        for (const input of inputs) {
          const obj = find(input.id, input.idProperty);
          if (!obj) missing.push(input.id);
          else results.push(store.update(obj.id, input.properties)!);
        }
        const json = { ...batchTimes(started), results: results.map((o) => toJson(o, type, Object.keys(inputs.find((i) => i.id === o.id)?.properties ?? {}))) };
        if (!missing.length) return { status: 200, json };
        return { status: 207, json: { ...json, numErrors: 1, errors: [notFoundIds(type, missing)] } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/batch/upsert$`),
      handler: ({ body }) => {
        check('batch/upsert', body);
        const started = new Date();
        const inputs = (body as { inputs: UpdateInput[] }).inputs;
        checkBatch(inputs);
        for (const input of inputs) {
          store.checkProperties(input.properties, false);
          if (!input.idProperty) throw validation('idProperty is required to upsert: the name of a unique property such as email');
        }
        const results = inputs.map((input) => {
          const existing = store.findBy(input.idProperty!, input.id);
          const obj = existing ? store.update(existing.id, input.properties)! : store.create({ ...input.properties, [input.idProperty!]: input.id });
          return { ...toJson(obj, type, Object.keys(input.properties)), new: !existing };
        });
        return { status: 200, json: { ...batchTimes(started), results } };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/batch/archive$`),
      handler: ({ body }) => {
        check('batch/archive', body);
        const inputs = (body as { inputs: { id: string }[] }).inputs;
        checkBatch(inputs);
        for (const { id } of inputs) {
          const obj = store.get(id);
          if (obj) store.archive(obj);
        }
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/search$`),
      handler: ({ body }) => {
        check('search', body);
        return { status: 200, json: search(store.live(), type, body as SearchRequest) };
      },
    },
  ];
}
