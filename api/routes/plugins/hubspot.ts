/**
 * /plugins/hubspot: what Chaseline's HubSpot app calls (plugins/hubspot).
 * - GET  oauth/callback            HubSpot's redirect after an admin installed the app (state names the tenant)
 * - GET  card/chases?objectId=     the contact's chases and the latest one's timeline (the record card)
 * - GET  card/campaigns            active campaigns for the card's picker
 * - POST card/chases               start a chase from the card
 * - POST workflow/start-chase      the "Start Chaseline chase" workflow action (blocks until the chase ends)
 * - POST workflow/campaign-options the action's campaign options
 * Every request but the OAuth redirect must be signed by HubSpot with the app's client secret
 * (v3 for hubspot.fetch, v2 for workflow actions): anything else is 401 before anything is
 * read or changed. The tenant is the one whose HubSpot connector is the request's portal.
 * Without HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET every route answers 404 saying so.
 */
import express, { type Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Deps, VendorApp } from '../../../core/deps.ts';
import { AppError, loggable, notFound } from '../../../core/errors.ts';
import { connectorCredentials, connectorsForAccount, saveConnector } from '../../../core/integrations/connectors.ts';
import { assertAcceptedText } from '../../../core/common/text.ts';
import { checkVendorUrls } from '../../../connectors/vendor-urls.ts';
import { hubspotUrls } from '../../../connectors/hubspot/schemas.ts';
import { setupHubspot } from '../../../connectors/hubspot/check.ts';
import { exchangeCode } from '../../../connectors/hubspot/app/oauth.ts';
import { verifyState } from '../../../connectors/hubspot/app/state.ts';
import { verifyHubspotRequest } from '../../../connectors/hubspot/app/signature.ts';
import { cardRoutes } from './hubspot.card.ts';
import { workflowRoutes } from './hubspot.workflow.ts';

export const SYSTEM = 'hubspot';

declare module 'express-serve-static-core' {
  interface Request {
    /** The HubSpot app's request, verified: its tenant and portal. */
    hubspot?: { tenantId: string; portalId: string };
  }
}

/** The configured app, or the 404 that says how to configure it. */
export function hubspotApp(deps: Deps): VendorApp {
  const app = deps.apps?.[SYSTEM];
  if (!app)
    throw new AppError('NOT_FOUND', 'the HubSpot app is not configured on this Chaseline: set HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET', { field: 'path' });
  return app;
}

const Portal = z.string().regex(/^\d{1,20}$/, 'must be a HubSpot account id');

/** The tenant that installed the app on `portalId`. */
export async function tenantOfPortal(deps: Deps, portalId: string): Promise<string> {
  const [first] = await connectorsForAccount(deps, SYSTEM, portalId);
  if (!first) throw notFound(`a Chaseline tenant with the HubSpot app installed on portal ${portalId}`, 'portalId');
  return first.tenantId;
}

/**
 * Verifies HubSpot's signature over the raw body, then parses it as JSON. Answers 401 (and
 * reads nothing else) when the request is unsigned, forged or stale.
 */
function signedByHubspot(deps: Deps, publicBaseUrl: string, log: Logger): express.RequestHandler[] {
  const base = publicBaseUrl.replace(/\/$/, '');
  return [
    express.raw({ type: () => true, limit: '1mb' }),
    (req, _res, next) => {
      const app = hubspotApp(deps);
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = verifyHubspotRequest(app.clientSecret, { method: req.method, url: base + req.originalUrl, body, header: (n) => req.get(n) });
      if (!check.ok) {
        log.warn({ reason: check.reason, path: req.path }, 'hubspot plugin request refused: not signed by the app');
        throw new AppError(
          'UNAUTHENTICATED',
          check.reason === 'stale' ? 'the HubSpot signature is more than five minutes old' : 'the request is not signed by the HubSpot app',
          { field: 'X-HubSpot-Signature-v3' },
        );
      }
      if (body.length) {
        try {
          req.body = JSON.parse(body.toString('utf8'));
        } catch {
          throw new AppError('MALFORMED_JSON', 'the body is not JSON', { field: 'body' });
        }
        assertAcceptedText(req.body);
      } else {
        req.body = undefined;
      }
      next();
    },
  ];
}

/** The tenant of a request whose portal comes in the query (hubspot.fetch adds portalId). */
export async function queryPortalTenant(deps: Deps, req: Request): Promise<{ tenantId: string; portalId: string }> {
  const { portalId } = z.looseObject({ portalId: Portal }).parse(req.query);
  return { tenantId: await tenantOfPortal(deps, portalId), portalId };
}

/** HubSpot's redirect after consent: the code becomes the tenant's HubSpot connector. */
function oauthCallback(deps: Deps, log: Logger): express.RequestHandler {
  const Query = z.object({ code: z.string().min(1).max(500), state: z.string().min(1).max(2000) });
  return async (req, res) => {
    const app = hubspotApp(deps);
    if (typeof req.query.error === 'string') throw new AppError('VALIDATION', `HubSpot did not install the app: ${req.query.error}`, { field: 'error' });
    const { code, state } = Query.parse(req.query);
    const tenantId = verifyState(app.clientSecret, state);
    if (!tenantId)
      throw new AppError('UNAUTHENTICATED', 'the install link is not ours or has expired: ask for a new one (GET /v1/connectors/hubspot/install)', {
        field: 'state',
      });
    // The client secret goes with the code: only to HubSpot or an allowed host.
    checkVendorUrls({ apiBaseUrl: app.apiBaseUrl }, hubspotUrls, deps.allowedVendorHosts);
    const installed = await exchangeCode(app, code);
    checkVendorUrls(installed, hubspotUrls, deps.allowedVendorHosts);
    // An existing connector keeps its settings (tags, do-not-call properties, limits); the tokens are the install's.
    const previous = ((await connectorCredentials(deps, tenantId, SYSTEM)) ?? {}) as Record<string, unknown>;
    const credentials = { ...previous, ...installed };
    await saveConnector(deps, tenantId, SYSTEM, credentials, { enabled: true, account: installed.portalId });
    await setupHubspot(credentials).catch((err: unknown) =>
      log.warn({ tenantId, connector: SYSTEM, error: loggable(err) }, 'connector setup failed; retried before the first write-back that needs it'),
    );
    log.info({ tenantId, portalId: installed.portalId }, 'hubspot app installed');
    res
      .status(200)
      .type('html')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Chaseline installed</title><p>Chaseline is connected to HubSpot account ${installed.portalId}. You can close this page.</p>`,
      );
  };
}

export function hubspotPluginRoutes(deps: Deps, options: { publicBaseUrl: string; log: Logger }): express.Router {
  const router = express.Router();
  router.get('/oauth/callback', oauthCallback(deps, options.log));
  const signed = signedByHubspot(deps, options.publicBaseUrl, options.log);
  router.use('/card', ...signed, cardRoutes(deps));
  router.use('/workflow', ...signed, workflowRoutes(deps));
  router.use((req) => {
    hubspotApp(deps);
    throw new AppError('NOT_FOUND', `no route for ${req.method} ${req.baseUrl}${req.path}`, { field: 'path' });
  });
  return router;
}
