// startHubspotSim(): a local, stateful stand-in for the part of HubSpot's API Chaseline
// uses — contacts v3 (CRUD, batch, search), calls and communications (SMS) engagements v3
// with their contact associations (inline and v4), the properties API (definitions, options),
// private-app bearer auth, the API rate limits — plus signed webhook deliveries. The official @hubspot/api-client works against it unchanged:
// `new Client({ accessToken: sim.accessToken, basePath: sim.url })`.
import { randomUUID } from 'node:crypto';
import { Associations, associationRoutes, type SimAssociation } from './associations.ts';
import { RateLimiter, type RateLimitOptions } from './limits.ts';
import { objectRoutes } from './objects.ts';
import { PropertyRegistry, propertyJson, propertyRoutes, type PropertyInput } from './properties.ts';
import { createSimServer, type RecordedRequest, type ServerState } from './server.ts';
import { ObjectStore, type CrmObject, type ObjectType } from './store.ts';
import { deliverWebhook, type WebhookDelivery, type WebhookEvent } from './webhook.ts';
import { listen } from '../listen.ts';
import { OAuthApp, type CallbackCompletion } from './app.ts';
import { fetchFieldOptions, newCallbackId, proxyCardFetch, sendWorkflowAction, type Answer, type CardFetch, type WorkflowActionRun } from './extensions.ts';

export type { RateLimitOptions } from './limits.ts';
export type { RecordedRequest } from './server.ts';
export type { CrmObject } from './store.ts';
export type { PropertyInput, SimOption } from './properties.ts';
export type { SimAssociation } from './associations.ts';
export type { WebhookEvent, WebhookDelivery } from './webhook.ts';
export { signV3, signatureUri } from './webhook.ts';
export { signV2 } from './extensions.ts';
export type { CallbackCompletion } from './app.ts';
export type { Answer, CardFetch, WorkflowActionRun } from './extensions.ts';
export { SEARCH_RESULT_CAP } from './search.ts';

export interface HubspotSimOptions {
  /** The private app's token; default a generated `pat-na1-…`. */
  accessToken?: string;
  /** More tokens that are accepted (each with its own rate-limit counters). */
  extraTokens?: string[];
  /** The app's client secret that signs webhooks, workflow actions and card fetches; default generated. */
  clientSecret?: string;
  /** The app's OAuth client id; default generated. */
  clientId?: string;
  /** OAuth access tokens live this long (HubSpot: 1800 s). */
  tokenLifetimeSeconds?: number;
  /** Where sendWebhook() delivers when it is given no targetUrl. */
  webhookUrl?: string;
  portalId?: number;
  appId?: number;
  /** Limits per token; `false` turns them all off. Defaults: 100 / 10 s, 250,000 / day, search 5 / s. */
  rateLimits?: RateLimitOptions | false;
  /**
   * Custom properties the portal defines, beyond the standard ones: a name is a single-line
   * text property; `{ name, type: 'enumeration', fieldType: 'checkbox', options: ['a', …] }`
   * a multiple-checkbox one whose values must be among its options.
   */
  contactProperties?: PropertyInput[];
  callProperties?: PropertyInput[];
  port?: number;
  host?: string;
}

/** A CRM object as tests see it: every stored property. */
export interface SimObject {
  id: string;
  properties: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
  archived: boolean;
}

export interface HubspotSim {
  /** http://127.0.0.1:port — stands for https://api.hubapi.com (the client's `basePath`). */
  url: string;
  accessToken: string;
  clientSecret: string;
  clientId: string;
  portalId: number;
  appId: number;
  /**
   * A user of the portal opens the app's install link (HubSpot's authorize URL, as the app
   * built it) and consents: the URL HubSpot redirects the browser to, with a code and the state.
   */
  consent(authorizeUrl: string): string;
  /** Every OAuth access token expires now; refresh tokens still work. */
  expireAccessTokens(): void;
  /** Every refresh token stops working (the app was uninstalled). */
  revokeRefreshTokens(): void;
  /** The workflow action completions received through the callbacks API, in order. */
  callbackCompletions(): CallbackCompletion[];
  /** HubSpot executing a custom workflow action for one enrolled contact (signed v2); the callback id is returned with the answer. */
  runWorkflowAction(run: WorkflowActionRun): Promise<Answer & { callbackId: string }>;
  /** HubSpot asking the app for an input field's options (signed v2). */
  fetchActionOptions(options: { optionsUrl: string; inputFieldName: string; q?: string; clientSecret?: string }): Promise<Answer>;
  /** An app card's hubspot.fetch as HubSpot's proxy relays it (query params added, signed v3). */
  cardFetch(url: string, options?: CardFetch): Promise<Answer>;
  contacts(): SimObject[];
  calls(): SimObject[];
  /** Logged WhatsApp, LinkedIn and SMS messages. */
  communications(): SimObject[];
  associations(): SimAssociation[];
  /** A property's definition as GET /crm/v3/properties/{type}/{name} answers it. */
  property(type: ObjectType, name: string): ReturnType<typeof propertyJson> | undefined;
  /** Every request that reached the simulator, in order. */
  requests(): RecordedRequest[];
  /** Replaces all contacts (ids assigned in order, or kept when given). */
  setContacts(contacts: { id?: string; properties: Record<string, string>; updatedAt?: Date }[]): SimObject[];
  /** Creates or changes one contact as a user in HubSpot would: last-modified moves. */
  upsertContact(properties: Record<string, string>, id?: string): SimObject;
  /** Creates `count` contacts quickly (for paging and the 10,000 search cap), last modified 1 ms apart in the past. */
  seedContacts(count: number, make?: (i: number) => Record<string, string>): void;
  /** Answers every request with `status` (HubSpot's error JSON) for `ms` milliseconds. */
  failFor(ms: number, status?: number): void;
  /** POSTs a batch of events to `targetUrl`, signed as HubSpot signs them (v3, and v1). */
  sendWebhook(events: WebhookEvent[], options?: { targetUrl?: string; clientSecret?: string; timestamp?: number }): Promise<WebhookDelivery>;
  close(): Promise<void>;
}

export async function startHubspotSim(options: HubspotSimOptions = {}): Promise<HubspotSim> {
  const accessToken = options.accessToken ?? `pat-na1-${randomUUID()}`;
  const clientSecret = options.clientSecret ?? randomUUID();
  const portalId = options.portalId ?? 12345678;
  const appId = options.appId ?? 987654;
  // HubSpot ids are numeric strings from one sequence per portal; start well above 0 so a
  // test cannot pass by confusing an index with an id.
  let lastId = 100_000;
  const nextId = () => String(++lastId);
  let lastEventId = 1_000;
  const definitions: Record<ObjectType, PropertyRegistry> = {
    contacts: new PropertyRegistry('contacts', options.contactProperties),
    calls: new PropertyRegistry('calls', options.callProperties),
    communications: new PropertyRegistry('communications'),
  };
  const stores: Record<ObjectType, ObjectStore> = {
    contacts: new ObjectStore('contacts', nextId, definitions.contacts),
    calls: new ObjectStore('calls', nextId, definitions.calls),
    communications: new ObjectStore('communications', nextId, definitions.communications),
  };
  const assoc = new Associations(stores);
  const clientId = options.clientId ?? randomUUID();
  const oauth = new OAuthApp({ clientId, clientSecret, portalId, appId, tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 1800 });
  const identity = { clientSecret, portalId, appId };
  const state: ServerState = {
    tokens: [accessToken, ...(options.extraTokens ?? [])],
    limiter: options.rateLimits === false ? null : new RateLimiter(options.rateLimits),
    outage: null,
    log: [],
    publicRoutes: oauth.publicRoutes(),
    oauthAccepts: (token) => oauth.accepts(token),
  };
  const routes = [
    ...objectRoutes('contacts', stores.contacts, assoc),
    ...objectRoutes('calls', stores.calls, assoc),
    ...objectRoutes('communications', stores.communications, assoc),
    ...associationRoutes(assoc, stores),
    ...propertyRoutes(definitions),
    ...oauth.routes(),
  ];
  const server = createSimServer(routes, state);
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const snapshot = (o: CrmObject): SimObject => ({ ...o, properties: { ...o.properties } });
  const upsertContact = (properties: Record<string, string>, id?: string) => {
    const existing = id ? stores.contacts.get(id) : undefined;
    return snapshot(existing ? stores.contacts.update(existing.id, properties)! : stores.contacts.create(properties));
  };

  return {
    url,
    accessToken,
    clientSecret,
    clientId,
    portalId,
    appId,
    consent: (authorizeUrl) => oauth.authorize(new URL(authorizeUrl).searchParams),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    callbackCompletions: () => oauth.completions.map((c) => ({ ...c, outputFields: { ...c.outputFields } })),
    async runWorkflowAction(run) {
      const callbackId = run.callbackId ?? newCallbackId(portalId);
      oauth.pending.add(callbackId);
      return { ...(await sendWorkflowAction(identity, { ...run, callbackId })), callbackId };
    },
    fetchActionOptions: (o) => fetchFieldOptions(identity, o),
    cardFetch: (url, o) => proxyCardFetch(identity, url, o),
    contacts: () => stores.contacts.live().map(snapshot),
    calls: () => stores.calls.live().map(snapshot),
    communications: () => stores.communications.live().map(snapshot),
    associations: () => assoc.links.map((l) => ({ ...l })),
    property: (type, name) => {
      const p = definitions[type].get(name);
      return p && propertyJson(p);
    },
    requests: () => state.log.map((r) => ({ ...r })),
    setContacts(contacts) {
      stores.contacts.objects.clear();
      assoc.links.length = 0;
      return contacts.map((c) => {
        const obj = stores.contacts.create(c.properties, c.updatedAt);
        if (c.id) {
          stores.contacts.objects.delete(obj.id);
          obj.id = c.id;
          obj.properties.hs_object_id = c.id;
          stores.contacts.objects.set(c.id, obj);
          lastId = Math.max(lastId, Number(c.id) || lastId);
        }
        return snapshot(obj);
      });
    },
    upsertContact,
    seedContacts(count, make = (i) => ({ firstname: `Seed${i}`, lastname: 'Contact', phone: `+1415555${String(i % 10_000).padStart(4, '0')}` })) {
      // Seeded as a CRM's existing records are: each last modified at its own moment, a
      // millisecond apart, all in the past (so no later change can sort before them).
      const start = Date.now() - count;
      for (let i = 0; i < count; i++) stores.contacts.create(make(i), new Date(start + i));
    },
    failFor(ms, status = 503) {
      state.outage = { until: Date.now() + ms, status };
    },
    sendWebhook(events, opts = {}) {
      const targetUrl = opts.targetUrl ?? options.webhookUrl;
      if (!targetUrl) throw new Error('sendWebhook needs a targetUrl (or the webhookUrl option)');
      return deliverWebhook(events, {
        targetUrl,
        clientSecret: opts.clientSecret ?? clientSecret,
        portalId,
        appId,
        nextEventId: () => ++lastEventId,
        timestamp: opts.timestamp,
      });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
