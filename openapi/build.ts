/**
 * Builds the OpenAPI 3.1 document from the procedures' zod schemas with openapi3-ts:
 * never written by hand, so it cannot drift from what the API accepts.
 */
import { OpenApiBuilder, type OpenAPIObject, type OperationObject, type ParameterObject, type SchemaObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import type { Procedure } from '../api/procedure.ts';
import { ImportResult, Problem } from '../api/schemas.ts';
import { ImportQuery } from '../api/routes/files.ts';
import { XLSX_TYPE } from '../api/routes/upload.ts';

type Io = 'input' | 'output';

/** Points zod's local `#/$defs/X` references at the document's components. */
function relocateRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relocateRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : relocateRefs(v)]),
  );
}

/** Converts a zod schema; named schemas (`.meta({ id })`) go to components and are referenced. */
function schemaOf(schema: z.ZodType, io: Io, components: Record<string, SchemaObject>): SchemaObject {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema: _version, $defs, ...rest } = relocateRefs(json) as Record<string, unknown>;
  Object.assign(components, $defs as Record<string, SchemaObject> | undefined);
  return rest as SchemaObject;
}

const problemResponse = {
  description: 'Error (RFC 9457 problem details)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};
const errorResponses = {
  '400': problemResponse,
  '401': problemResponse,
  '403': problemResponse,
  '404': problemResponse,
  '409': problemResponse,
  '415': problemResponse,
  '422': problemResponse,
  '429': {
    ...problemResponse,
    description: 'Too many failed authentications from this address (RATE_LIMITED): wait Retry-After seconds',
    headers: { 'Retry-After': { description: 'Seconds until the address may try again', schema: { type: 'integer', minimum: 1 } } },
  },
  '500': problemResponse,
};

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
const pathParams = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

function queryParameters(schema: SchemaObject, skip: string[]): ParameterObject[] {
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => !skip.includes(name))
    .map(([name, s]) => ({
      name,
      in: 'query' as const,
      required: schema.required?.includes(name) ?? false,
      schema: s as SchemaObject,
      ...((s as SchemaObject).description ? { description: (s as SchemaObject).description } : {}),
    }));
}

function operation(p: Procedure, components: Record<string, SchemaObject>): OperationObject {
  const input = schemaOf(p.input, 'input', components);
  const params = pathParams(p.path);
  const parameters: ParameterObject[] = params.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: (input.properties?.[name] as SchemaObject) ?? { type: 'string' },
  }));
  const op: OperationObject = {
    operationId: p.name,
    summary: p.summary,
    tags: [p.tag],
    parameters,
  };
  const responses: Record<string, unknown> = {};
  if (p.method === 'get' || p.method === 'delete') {
    parameters.push(...queryParameters(input, params));
  } else {
    const body = { ...input, properties: { ...input.properties } };
    for (const name of params) delete body.properties[name];
    op.requestBody = { required: true, content: { 'application/json': { schema: body } } };
  }
  if (p.creates) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', maxLength: 255 },
      description: 'Replays the first response to a retry with the same key and body',
    });
  }
  const output = schemaOf(p.output, 'output', components);
  for (const status of p.statuses ?? [200]) {
    const csv = p.csv ? { 'text/csv': { schema: { type: 'string', description: 'with format=csv (admin and analyst keys)' } } } : {};
    responses[String(status)] = { description: status === 201 ? 'Created' : 'OK', content: { 'application/json': { schema: output }, ...csv } };
  }
  op.responses = { ...responses, ...errorResponses };
  return op;
}

/** The two file routes are not JSON procedures, so they are described here. */
function fileOperations(components: Record<string, SchemaObject>) {
  const importQuery = schemaOf(ImportQuery, 'input', components);
  const imports: OperationObject = {
    operationId: 'imports.create',
    summary: 'Import contacts or a do-not-call list from CSV or XLSX (UTF-8, UTF-8 BOM, GB18030/GBK, UTF-16)',
    tags: ['imports'],
    parameters: [...queryParameters(importQuery, []), { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
    requestBody: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } } },
        },
        'text/csv': { schema: { type: 'string' } },
        [XLSX_TYPE]: { schema: { type: 'string', contentMediaType: XLSX_TYPE } },
      },
    },
    responses: {
      '201': {
        description: 'Imported; total = created + updated + rejected.length',
        content: { 'application/json': { schema: schemaOf(ImportResult, 'output', components) } },
      },
      '413': problemResponse,
      ...errorResponses,
    },
  };
  const exportContacts: OperationObject = {
    operationId: 'exports.contacts',
    summary: 'Export all contacts as CSV (admin keys only; audited)',
    tags: ['exports'],
    responses: { '200': { description: 'CSV, UTF-8 with BOM', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errorResponses },
  };
  return { imports, exportContacts };
}

export function buildOpenApi(procedures: Procedure[]): OpenAPIObject {
  const components: Record<string, SchemaObject> = {};
  schemaOf(Problem, 'output', components);
  const builder = OpenApiBuilder.create({
    openapi: '3.1.0',
    info: {
      title: 'Chaseline API',
      version: '1.0.0',
      description: 'Automatic phone and SMS chases driven from your CRM. The same procedures are served over tRPC at /trpc.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    paths: {},
    security: [{ apiKey: [] }],
  });
  builder.addSecurityScheme('apiKey', { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer chl_…' });
  const paths: Record<string, Record<string, OperationObject>> = {};
  for (const p of procedures) (paths[toOpenApiPath(p.path)] ??= {})[p.method] = operation(p, components);
  const files = fileOperations(components);
  (paths['/v1/imports'] ??= {}).post = files.imports;
  (paths['/v1/exports/contacts'] ??= {}).get = files.exportContacts;
  for (const [path, item] of Object.entries(paths)) builder.addPath(path, item);
  for (const [name, schema] of Object.entries(components)) builder.addSchema(name, schema);
  return builder.getSpec();
}
