// Bulk API 2.0 query jobs: create (POST /jobs/query), poll (GET /jobs/query/{id}), read
// the CSV results a page at a time (GET …/results?locator=&maxRecords=, next locator in
// the Sforce-Locator response header, the string "null" on the last page), abort, delete.
// The rows are taken when the job is created; the job then runs for `jobMs` of real time
// (UploadComplete → InProgress → JobComplete) so clients really have to poll.
import { SfError, notFound } from './errors.ts';
import { KEY_PREFIX } from './ids.ts';
import { parseSoql, runQuery, type Query } from './soql.ts';
import { jsonDatetime, toCsv } from './render.ts';
import type { Org, SfRecord } from './store.ts';
import type { Route, SfRequest } from './server.ts';

interface Job {
  id: string;
  operation: 'query' | 'queryAll';
  query: Query;
  rows: SfRecord[];
  createdAt: number;
  createdDate: string;
  apiVersion: string;
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: string;
  aborted?: string;
}

const DELIMITERS: Record<string, string> = { COMMA: ',', TAB: '\t', SEMICOLON: ';', PIPE: '|', CARET: '^', BACKQUOTE: '`' };

export function bulkRoutes(org: Org, options: { jobMs: number; pageSize: number }): Route[] {
  const jobs = new Map<string, Job>();

  const state = (job: Job): string => {
    if (job.aborted) return 'Aborted';
    const age = Date.now() - job.createdAt;
    return age >= options.jobMs ? 'JobComplete' : age >= options.jobMs / 2 ? 'InProgress' : 'UploadComplete';
  };
  const info = (job: Job) => {
    const s = state(job);
    return {
      id: job.id,
      operation: job.operation,
      object: job.query.type,
      createdById: org.userId,
      createdDate: job.createdDate,
      systemModstamp: jsonDatetime(new Date(job.aborted ? Date.parse(job.aborted) : Math.min(Date.now(), job.createdAt + options.jobMs)).toISOString()),
      state: s,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      jobType: 'V2Query',
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
      ...(s === 'JobComplete' ? { numberRecordsProcessed: job.rows.length, retries: 0, totalProcessingTime: options.jobMs } : {}),
    };
  };
  const find = (req: SfRequest): Job => {
    const job = jobs.get(req.match[1] ?? '');
    if (!job) throw notFound();
    return job;
  };

  return [
    {
      method: 'POST',
      pattern: /^\/jobs\/query\/?$/,
      handler: (req) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const operation = body.operation ?? 'query';
        if (operation !== 'query' && operation !== 'queryAll') throw new SfError(400, 'INVALIDJOB', `Invalid operation: ${String(operation)}`);
        if (typeof body.query !== 'string') throw new SfError(400, 'INVALIDJOB', 'A query is required');
        const lineEnding = body.lineEnding ?? 'LF';
        const columnDelimiter = body.columnDelimiter ?? 'COMMA';
        if (lineEnding !== 'LF' && lineEnding !== 'CRLF') throw new SfError(400, 'INVALIDJOB', `Invalid lineEnding: ${String(lineEnding)}`);
        if (typeof columnDelimiter !== 'string' || !DELIMITERS[columnDelimiter])
          throw new SfError(400, 'INVALIDJOB', `Invalid columnDelimiter: ${String(columnDelimiter)}`);
        const query = parseSoql(body.query, (t, n) => org.schema.field(t, n));
        const job: Job = {
          id: org.newId(KEY_PREFIX.BulkJob),
          operation,
          query,
          rows: runQuery(query, org.list(query.type, operation === 'queryAll')).map((r) => ({ ...r })),
          createdAt: Date.now(),
          createdDate: jsonDatetime(new Date().toISOString()),
          apiVersion: req.version,
          lineEnding,
          columnDelimiter,
        };
        jobs.set(job.id, job);
        return { status: 200, json: info(job) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/jobs\/query\/?$/,
      handler: () => ({ status: 200, json: { done: true, records: [...jobs.values()].map(info), nextRecordsUrl: null } }),
    },
    { method: 'GET', pattern: /^\/jobs\/query\/(750[0-9A-Za-z]{15})$/, handler: (req) => ({ status: 200, json: info(find(req)) }) },
    {
      method: 'PATCH',
      pattern: /^\/jobs\/query\/(750[0-9A-Za-z]{15})$/,
      handler: (req) => {
        const job = find(req);
        if ((req.body as { state?: unknown } | undefined)?.state !== 'Aborted')
          throw new SfError(400, 'INVALIDJOBSTATE', 'A query job can only be changed to Aborted');
        if (state(job) === 'JobComplete') throw new SfError(400, 'INVALIDJOBSTATE', 'Job is already complete');
        job.aborted ??= new Date().toISOString();
        return { status: 200, json: info(job) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/jobs\/query\/(750[0-9A-Za-z]{15})$/,
      handler: (req) => {
        jobs.delete(find(req).id);
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      pattern: /^\/jobs\/query\/(750[0-9A-Za-z]{15})\/results$/,
      handler: (req) => {
        const job = find(req);
        if (state(job) !== 'JobComplete') throw new SfError(400, 'INVALIDJOBSTATE', `Job ${job.id} is not complete; its state is ${state(job)}`);
        if (req.version !== job.apiVersion)
          throw new SfError(409, 'INVALIDJOBSTATE', `Results must be read with the API version the job was created with (${job.apiVersion})`);
        const maxRecords = req.query.get('maxRecords');
        if (maxRecords !== null && !/^[1-9]\d*$/.test(maxRecords)) throw new SfError(400, 'INVALIDJOBSTATE', `Invalid maxRecords: ${maxRecords}`);
        const size = maxRecords ? Number(maxRecords) : options.pageSize;
        const locator = req.query.get('locator');
        const offset = locator ? Number(Buffer.from(locator, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0 || offset > job.rows.length) throw new SfError(400, 'INVALIDJOBSTATE', `Invalid locator: ${locator}`);
        const rows = job.rows.slice(offset, offset + size);
        const end = offset + rows.length;
        const next = end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null';
        return {
          status: 200,
          text: toCsv(job.query.fields, rows, job.lineEnding === 'CRLF' ? '\r\n' : '\n', DELIMITERS[job.columnDelimiter]),
          contentType: 'text/csv',
          headers: { 'sforce-locator': next, 'sforce-numberofrecords': String(rows.length) },
        };
      },
    },
  ];
}
