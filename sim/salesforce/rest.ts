// REST resources: SOQL query with server-side cursors (nextRecordsUrl), single-record
// sObject reads and writes, and sObject Collections (composite/sobjects) with per-record
// SaveResults and allOrNone rollback.
import { malformedQuery, notFound, SaveFailure, SfError, type SaveError } from './errors.ts';
import { findType, type SObjectType } from './schema.ts';
import { parseSoql, runQuery } from './soql.ts';
import { KEY_PREFIX } from './ids.ts';
import { toJson } from './render.ts';
import type { Org, SfRecord } from './store.ts';
import type { Route, SfRequest } from './server.ts';

/** Salesforce's own limit for sObject Collections. */
export const COLLECTION_LIMIT = 200;

interface Cursor {
  totalSize: number;
  /** Rendered at query time: a cursor is a snapshot, as Salesforce's is. */
  records: Record<string, unknown>[];
}
type SaveResult = { id?: string; success: boolean; errors: SaveError[] };

function sobjectType(name: string | undefined): SObjectType {
  const type = name ? findType(name) : undefined;
  if (!type) throw new SfError(404, 'NOT_FOUND', `The requested resource does not exist`);
  return type;
}

function asObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SfError(400, 'JSON_PARSER_ERROR', 'Expected a JSON object');
  return body as Record<string, unknown>;
}

export function restRoutes(org: Org, options: { batchSize: number }): Route[] {
  const cursors = new Map<string, Cursor>();

  const page = (locator: string, cursor: Cursor, offset: number, version: string) => {
    const end = offset + options.batchSize;
    const done = end >= cursor.records.length;
    return {
      totalSize: cursor.totalSize,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${locator}-${end}` }),
      records: cursor.records.slice(offset, end),
    };
  };

  const query = (withDeleted: boolean) => (req: SfRequest) => {
    const soql = req.query.get('q');
    if (!soql) throw malformedQuery('A query string must be provided with the q parameter');
    const q = parseSoql(soql, (t, n) => org.schema.field(t, n));
    const rows = runQuery(q, org.list(q.type, withDeleted));
    const cursor: Cursor = { totalSize: rows.length, records: rows.map((r) => toJson(q.type, r, q.fields, req.version)) };
    const locator = org.newId(KEY_PREFIX.QueryLocator);
    if (rows.length > options.batchSize) cursors.set(locator, cursor);
    return { status: 200, json: page(locator, cursor, 0, req.version) };
  };

  const readRecord = (req: SfRequest): { type: SObjectType; rec: SfRecord } => {
    const type = sobjectType(req.match[1]);
    const hit = org.find(req.match[2] ?? '');
    if (!hit || hit.type !== type) throw notFound();
    return hit;
  };

  /** Saves each record in order; with allOrNone, nothing is written unless every record passes. */
  const saveAll = (
    items: Array<{ check: () => { values: SfRecord } | { errors: SaveError[] }; commit: (values: SfRecord) => string }>,
    allOrNone: boolean,
  ): SaveResult[] => {
    if (allOrNone) {
      const checked = items.map((item) => item.check());
      if (checked.some((c) => 'errors' in c)) {
        return checked.map((c) => ({
          success: false,
          errors:
            'errors' in c
              ? c.errors
              : [
                  {
                    statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
                    fields: [],
                  },
                ],
        }));
      }
      return checked.map((c, n) => ({ id: items[n]!.commit((c as { values: SfRecord }).values), success: true, errors: [] }));
    }
    return items.map((item) => {
      const c = item.check();
      return 'errors' in c ? { success: false, errors: c.errors } : { id: item.commit(c.values), success: true, errors: [] };
    });
  };

  const collection = (body: unknown) => {
    const { allOrNone = false, records } = asObject(body);
    if (!Array.isArray(records)) throw new SfError(400, 'JSON_PARSER_ERROR', "Required field 'records' is missing or not an array");
    if (records.length > COLLECTION_LIMIT)
      throw new SfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`);
    const typed = records.map((raw) => {
      const rec = asObject(raw);
      const attributes = rec.attributes as { type?: unknown } | undefined;
      const type = typeof attributes?.type === 'string' ? findType(attributes.type) : undefined;
      if (!type) throw new SfError(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
      return { type, rec };
    });
    return { allOrNone: allOrNone === true, typed };
  };

  const fail = (statusCode: string, message: string) => ({ errors: [{ statusCode, message, fields: [] }] });

  return [
    { method: 'GET', pattern: /^\/query\/?$/, handler: query(false) },
    { method: 'GET', pattern: /^\/queryAll\/?$/, handler: query(true) },
    {
      method: 'GET',
      pattern: /^\/query(?:All)?\/(01g[0-9A-Za-z]{15})-(\d+)$/,
      handler: (req) => {
        const cursor = cursors.get(req.match[1]!);
        const offset = Number(req.match[2]);
        if (!cursor || offset >= cursor.records.length) throw new SfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        return { status: 200, json: page(req.match[1]!, cursor, offset, req.version) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/sobjects\/(\w+)\/?$/,
      handler: (req) => {
        if (org.schema.event(req.match[1] ?? '')) {
          const body = asObject(req.body);
          try {
            const { id, uuid } = org.publish(req.match[1]!, body);
            return { status: 201, json: { id, success: true, errors: [{ statusCode: 'OPERATION_ENQUEUED', message: uuid, fields: [] }] } };
          } catch (err) {
            throw err instanceof SaveFailure ? err.toSfError() : err;
          }
        }
        const type = sobjectType(req.match[1]);
        const body = asObject(req.body);
        if (Object.keys(body).some((k) => k.toLowerCase() === 'id')) throw new SfError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
        try {
          return { status: 201, json: { id: org.insert(type, body).Id, success: true, errors: [] } };
        } catch (err) {
          throw err instanceof SaveFailure ? err.toSfError() : err;
        }
      },
    },
    {
      method: 'GET',
      pattern: /^\/sobjects\/(\w+)\/([0-9A-Za-z]{15,18})$/,
      handler: (req) => {
        const { type, rec } = readRecord(req);
        const wanted = req.query.get('fields')?.split(',').filter(Boolean);
        const fields = wanted
          ? wanted.map(
              (name) =>
                org.schema.field(type, name.trim()) ??
                (() => {
                  throw new SfError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${type}'`);
                })(),
            )
          : org.schema.fields(type);
        return { status: 200, json: toJson(type, rec, fields, req.version) };
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/sobjects\/(\w+)\/([0-9A-Za-z]{15,18})$/,
      handler: (req) => {
        const { rec } = readRecord(req);
        try {
          org.update(rec.Id as string, asObject(req.body));
        } catch (err) {
          throw err instanceof SaveFailure ? err.toSfError() : err;
        }
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/sobjects\/(\w+)\/([0-9A-Za-z]{15,18})$/,
      handler: (req) => {
        org.remove(readRecord(req).rec.Id as string);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: /^\/composite\/sobjects\/?$/,
      handler: (req) => {
        const { allOrNone, typed } = collection(req.body);
        const items = typed.map(({ type, rec }) => ({
          check: () =>
            Object.keys(rec).some((k) => k.toLowerCase() === 'id') ? fail('INVALID_FIELD', 'cannot specify Id in an insert call') : org.check(type, rec),
          commit: (values: SfRecord) => org.create(type, values).Id as string,
        }));
        return { status: 200, json: saveAll(items, allOrNone) };
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/composite\/sobjects\/?$/,
      handler: (req) => {
        const { allOrNone, typed } = collection(req.body);
        const items = typed.map(({ type, rec }) => {
          const idKey = Object.keys(rec).find((k) => k.toLowerCase() === 'id');
          const hit = idKey ? org.find(String(rec[idKey])) : undefined;
          return {
            check: () =>
              !idKey
                ? fail('MISSING_ARGUMENT', 'Id not specified in an update call')
                : !hit || hit.type !== type
                  ? fail('ENTITY_IS_DELETED', 'entity is deleted')
                  : org.check(type, rec, hit.rec),
            commit: (values: SfRecord) => org.apply(hit!.rec, values).Id as string,
          };
        });
        return { status: 200, json: saveAll(items, allOrNone) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/composite\/sobjects\/?$/,
      handler: (req) => {
        const ids = (req.query.get('ids') ?? '').split(',').filter(Boolean);
        if (!ids.length) throw new SfError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
        if (ids.length > COLLECTION_LIMIT)
          throw new SfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`);
        const items = ids.map((id) => ({
          check: () => (org.find(id) ? { values: {} } : fail('ENTITY_IS_DELETED', 'entity is deleted')),
          commit: () => {
            const hit = org.find(id)!;
            org.remove(hit.rec.Id as string);
            return hit.rec.Id as string;
          },
        }));
        return { status: 200, json: saveAll(items, req.query.get('allOrNone') === 'true') };
      },
    },
  ];
}
