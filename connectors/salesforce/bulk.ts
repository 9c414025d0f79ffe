/**
 * Bulk API 2.0 query jobs through the connection: create one, wait for it, read its CSV
 * results a page at a time (maxRecords; the next page's locator comes in the Sforce-Locator
 * header, "null" after the last). jsforce's own bulk2.query pipes every page into one CSV
 * parser, so a second page's header row turns into a record: pages are read here, one
 * request each, and parsed with csv-parse.
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
 */
import { parse } from 'csv-parse/sync';
import type { Connection } from '@salesforce/core';
import { AppError } from '../../core/errors.ts';
import type { Session } from './session.ts';

export interface BulkOptions {
  /** Real milliseconds between two looks at a running job. */
  pollMs: number;
  /** How long a job may take before the pull gives up (and resumes it next time). */
  timeoutMs: number;
  /** Records per results page. */
  pageSize: number;
}

type Transport = Connection['_transport'];

export async function createQueryJob(session: Session, soql: string): Promise<string> {
  const job = await session.run('creating a Bulk API 2.0 query job', (conn) =>
    conn.requestPost<{ id?: unknown }>('/jobs/query', { operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' }),
  );
  if (typeof job.id !== 'string')
    throw new AppError('UPSTREAM', 'creating a Bulk API 2.0 query job: Salesforce answered without a job id', { retryable: true });
  return job.id;
}

/** Waits until the job has run (JobComplete); a failed or aborted job, or one past the timeout, is an error. */
export async function waitForJob(session: Session, jobId: string, options: Pick<BulkOptions, 'pollMs' | 'timeoutMs'>): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const info = await session.run('checking a Bulk API 2.0 query job', (conn) =>
      conn.request<{ state?: string; errorMessage?: string }>(`/jobs/query/${jobId}`),
    );
    if (info.state === 'JobComplete') return;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new AppError('UPSTREAM', `the Bulk API 2.0 query job ${jobId} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}`, {
        retryable: true,
        details: { jobState: info.state },
      });
    }
    if (Date.now() >= deadline)
      throw new AppError('UPSTREAM', `the Bulk API 2.0 query job ${jobId} did not finish in ${Math.round(options.timeoutMs / 1000)} s`, { retryable: true });
    await new Promise((r) => setTimeout(r, options.pollMs));
  }
}

/** One page of a finished job's results, and the locator of the next page (null after the last). */
export async function resultsPage(
  session: Session,
  jobId: string,
  locator: string | null,
  pageSize: number,
): Promise<{ rows: Array<Record<string, string>>; next: string | null }> {
  const query = new URLSearchParams({ maxRecords: String(pageSize), ...(locator ? { locator } : {}) });
  let next: string | undefined;
  const csv = await session.run('reading Bulk API 2.0 query results', (conn) => {
    // conn.request hands back only the body: the transport is wrapped to see the headers too.
    const base = conn._transport;
    const transport: Pick<Transport, 'httpRequest'> = {
      httpRequest(req, opts) {
        const sent = base.httpRequest(req, opts);
        sent.then(
          (res) => (next = res.headers['sforce-locator']),
          () => undefined,
        );
        return sent;
      },
    };
    return conn.request<string>({ method: 'GET', url: `/jobs/query/${jobId}/results?${query.toString()}`, headers: { accept: 'text/csv' } }, {
      responseType: 'text/plain',
      transport,
    } as never);
  });
  if (next === undefined) throw new AppError('UPSTREAM', 'reading Bulk API 2.0 query results: Salesforce sent no Sforce-Locator', { retryable: true });
  const rows = parse(csv, { columns: true, skip_empty_lines: true, bom: true }) as Array<Record<string, string>>;
  return { rows, next: next === 'null' ? null : next };
}
