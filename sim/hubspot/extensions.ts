// HubSpot calling an app, as it signs those requests:
// - a custom workflow action's execution (POST to its actionUrl) and its field options
//   (POST to optionsUrl): X-HubSpot-Signature v2, hex SHA-256 of client secret + method +
//   URI + body, with X-HubSpot-Signature-Version: v2;
// - an app card's hubspot.fetch, relayed by HubSpot's proxy: the query gains portalId,
//   userId, userEmail and appId, and the request is signed v3 (base64 HMAC-SHA256 of
//   method + URI + body + timestamp) with X-HubSpot-Request-Timestamp.
// https://developers.hubspot.com/docs/api-reference/automation-actions-v4-v4/custom-action-guide
// https://developers.hubspot.com/docs/apps/developer-platform/add-features/ui-extensibility/fetching-data
// https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests
import { createHash, randomInt } from 'node:crypto';
import { signV3 } from './webhook.ts';

export interface AppIdentity {
  clientSecret: string;
  portalId: number;
  appId: number;
}

export const signV2 = (clientSecret: string, method: string, url: string, body: string) =>
  createHash('sha256').update(`${clientSecret}${method}${url}${body}`, 'utf8').digest('hex');

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, json };
}

async function postV2(app: AppIdentity, url: string, payload: unknown, clientSecret = app.clientSecret): Promise<Answer> {
  const body = JSON.stringify(payload);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-HubSpot-Signature': signV2(clientSecret, 'POST', url, body),
      'X-HubSpot-Signature-Version': 'v2',
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return answer(res);
}

export interface WorkflowActionRun {
  actionUrl: string;
  objectId: number;
  /** The enrolled record's properties the action asked for (objectRequestOptions). */
  properties: Record<string, string | null>;
  inputFields: Record<string, string>;
  /** Default a new one, as HubSpot gives each execution. */
  callbackId?: string;
  /** Signs with another secret (a forgery). */
  clientSecret?: string;
}

/** The execution request of a custom workflow action for one enrolled contact. */
export function workflowActionPayload(app: AppIdentity, run: WorkflowActionRun & { callbackId: string }) {
  return {
    callbackId: run.callbackId,
    origin: {
      portalId: app.portalId,
      actionDefinitionId: 1_001,
      actionDefinitionVersion: 1,
      actionExecutionIndexIdentifier: { enrollmentId: randomInt(1, 2 ** 31), actionExecutionIndex: 0 },
    },
    context: { source: 'WORKFLOWS', workflowId: 2_002, actionId: 1 },
    object: { objectId: run.objectId, objectType: 'CONTACT', properties: run.properties },
    inputFields: run.inputFields,
  };
}

export const newCallbackId = (portalId: number) => `ap-${portalId}-${randomInt(1, 2 ** 40)}-1-0`;

export function sendWorkflowAction(app: AppIdentity, run: WorkflowActionRun & { callbackId: string }): Promise<Answer> {
  return postV2(app, run.actionUrl, workflowActionPayload(app, run), run.clientSecret);
}

/** The options request of an input field whose options come from the app (optionsUrl). */
export function fetchFieldOptions(
  app: AppIdentity,
  options: { optionsUrl: string; inputFieldName: string; q?: string; clientSecret?: string },
): Promise<Answer> {
  return postV2(
    app,
    options.optionsUrl,
    {
      origin: { portalId: app.portalId, actionDefinitionId: 1_001, actionDefinitionVersion: 1 },
      objectTypeId: '0-1',
      inputFieldName: options.inputFieldName,
      inputFields: {},
      fetchOptions: options.q ? { q: options.q } : {},
    },
    options.clientSecret,
  );
}

export interface CardFetch {
  method?: string;
  body?: unknown;
  userId?: number;
  userEmail?: string;
  /** Signs at another time (a stale or future timestamp). */
  timestamp?: number;
  clientSecret?: string;
}

/** What HubSpot's proxy sends for hubspot.fetch(url, { method, body }) from an app card. */
export async function proxyCardFetch(app: AppIdentity, url: string, options: CardFetch = {}): Promise<Answer> {
  const target = new URL(url);
  target.searchParams.set('userId', String(options.userId ?? 4242));
  target.searchParams.set('userEmail', options.userEmail ?? 'rep@example.com');
  target.searchParams.set('appId', String(app.appId));
  target.searchParams.set('portalId', String(app.portalId));
  const method = (options.method ?? 'GET').toUpperCase();
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const timestamp = String(options.timestamp ?? Date.now());
  const res = await fetch(target, {
    method,
    headers: {
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      'X-HubSpot-Signature-v3': signV3(options.clientSecret ?? app.clientSecret, method, target.toString(), body, timestamp),
      'X-HubSpot-Request-Timestamp': timestamp,
    },
    ...(body ? { body } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  return answer(res);
}
