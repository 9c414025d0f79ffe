/**
 * How the console talks to the API: over HTTP only, with the session cookie (never the key) and
 * the session's CSRF token on every write. The tRPC client is typed by the server's router
 * (a type-only import: nothing of the server is bundled).
 */
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../api/trpc.ts';

export type Inputs = inferRouterInputs<AppRouter>;
export type Outputs = inferRouterOutputs<AppRouter>;
export type Campaign = Outputs['campaigns']['get'];
export type CampaignCreate = Inputs['campaigns']['create'];
export type Chase = Outputs['chases']['list']['items'][number];
export type ChaseDetail = Outputs['chases']['get'];
export type ImportOutcome = Pick<Outputs['imports']['get'], 'id' | 'kind' | 'total' | 'created' | 'updated' | 'rejected'>;

export type Role = 'viewer' | 'operator' | 'admin' | 'analyst';

export interface Session {
  signedIn: true;
  tenantId: string;
  keyId: string;
  role: Role;
  expiresAt: string;
  csrfToken: string;
  csrfHeader: string;
}

/** An error as the API names it: a stable code, a message, and the fields at fault. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly errors: { field: string; message: string }[],
  ) {
    super(message);
  }
}

let csrf: { header: string; token: string } | null = null;
/** Called when the API says the session has ended: the app shows the sign-in again. */
let onSignedOut: () => void = () => undefined;

export function whenSignedOut(signedOut: () => void) {
  onSignedOut = signedOut;
}

const writeHeaders = (): Record<string, string> => (csrf ? { [csrf.header]: csrf.token } : {});

interface ProblemBody {
  detail?: string;
  code?: string;
  field?: string;
  errors?: { field: string; message: string }[];
}

async function problemOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as ProblemBody;
  const errors = body.errors ?? (body.field ? [{ field: body.field, message: body.detail ?? '' }] : []);
  if (res.status === 401) onSignedOut();
  return new ApiError(body.detail ?? res.statusText, body.code ?? 'INTERNAL', res.status, errors);
}

export async function currentSession(): Promise<Session | null> {
  const res = await fetch('/app/session', { credentials: 'same-origin' });
  if (!res.ok) throw await problemOf(res);
  const session = (await res.json()) as Session | { signedIn: false };
  if (!session.signedIn) return null;
  csrf = { header: session.csrfHeader, token: session.csrfToken };
  return session;
}

/** Exchanges the key for a session cookie; the key goes no further than this request. */
export async function signIn(key: string): Promise<Session> {
  const res = await fetch('/app/session', { method: 'POST', credentials: 'same-origin', headers: { authorization: `Bearer ${key.trim()}` } });
  if (!res.ok) throw await problemOf(res);
  const session = (await res.json()) as Session;
  csrf = { header: session.csrfHeader, token: session.csrfToken };
  return session;
}

export async function signOut(): Promise<void> {
  await fetch('/app/session', { method: 'DELETE', credentials: 'same-origin' });
  csrf = null;
}

export const trpc = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      headers: writeHeaders,
      fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }),
    }),
  ],
});

/** Any error from the API (tRPC or REST) in one shape. */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof TRPCClientError) {
    const data = (err.data ?? {}) as { code?: string; field?: string | null; errors?: { field: string; message: string }[]; httpStatus?: number };
    if (data.httpStatus === 401) onSignedOut();
    const errors = data.errors ?? (data.field ? [{ field: data.field, message: err.message }] : []);
    return new ApiError(err.message, data.code ?? 'INTERNAL', data.httpStatus ?? 500, errors);
  }
  return new ApiError(err instanceof Error ? err.message : String(err), 'INTERNAL', 0, []);
}

/**
 * Uploads a file to POST /v1/imports with XMLHttpRequest, the one browser API that reports
 * upload progress. The cookie and the CSRF token authenticate it like any other write.
 */
export function uploadImport(file: File, query: { kind: string; defaultRegion?: string }, onProgress: (fraction: number) => void): Promise<ImportOutcome> {
  const params = new URLSearchParams({ kind: query.kind });
  if (query.defaultRegion) params.set('defaultRegion', query.defaultRegion);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/imports?${params}`);
    for (const [name, value] of Object.entries(writeHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError('the upload failed: check the connection', 'UPSTREAM', 0, []));
    xhr.onload = async () => {
      const res = new Response(xhr.responseText, { status: xhr.status, headers: { 'content-type': xhr.getResponseHeader('content-type') ?? '' } });
      if (xhr.status >= 400) return reject(await problemOf(res));
      onProgress(1);
      resolve((await res.json()) as ImportOutcome);
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Roles in order; analyst reads like a viewer and changes nothing. */
const rank: Record<Role, number> = { viewer: 0, analyst: 0, operator: 1, admin: 2 };
export const can = (role: Role, least: 'operator' | 'admin') => rank[role] >= rank[least];
