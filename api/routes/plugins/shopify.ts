/**
 * /plugins/shopify: Chaseline as a Shopify app. Install (OAuth through @shopify/shopify-api,
 * offline token) makes or finds the shop's tenant and saves its Shopify connector; the embedded
 * page's calls carry App Bridge session tokens; Flow runs the "Start Chaseline chase" action.
 * Every request is signed by Shopify (OAuth hmac, session token, Flow hmac) or it is a 401.
 * https://shopify.dev/docs/apps/build/authentication-authorization
 */
import express from 'express';
import type { Logger } from 'pino';
import {
  BotActivityDetected,
  CookieNotFound,
  HttpResponseError,
  InvalidHmacError,
  InvalidHostError,
  InvalidJwtError,
  InvalidOAuthError,
  InvalidShopError,
  type Shopify,
} from '@shopify/shopify-api';
import type { Deps } from '../../../core/deps.ts';
import { AppError } from '../../../core/errors.ts';
import { installAccount } from '../../../core/integrations/installs.ts';
import { connectors } from '../../../connectors/registry.ts';
import { checkVendorUrls } from '../../../connectors/vendor-urls.ts';
import { createShopifyApp, type ShopifyAppConfig } from '../../../connectors/shopify/app/app.ts';
import { embeddedRoutes } from './shopify.embedded.ts';
import { flowRoutes } from './shopify.flow.ts';

export interface ShopifyPluginOptions extends ShopifyAppConfig {
  /** A first install's tenant gets this region (CHASELINE_DEFAULT_REGION). */
  defaultRegion: string;
}

export const SHOPIFY_BASE = '/plugins/shopify';
const CALLBACK_PATH = `${SHOPIFY_BASE}/auth/callback`;

const unauthenticated = (message: string) => new AppError('UNAUTHENTICATED', message);

/** The library's refusals of a request as ours: what Shopify did not sign is a 401, a bad shop a 400 naming it. */
export function shopifyRefusal(err: unknown): AppError | null {
  if (err instanceof InvalidShopError) return new AppError('VALIDATION', 'is not a shop domain such as demo.myshopify.com', { field: 'shop' });
  if (err instanceof InvalidOAuthError || err instanceof InvalidHmacError) return unauthenticated('the OAuth callback is not signed by Shopify, or is too old');
  if (err instanceof CookieNotFound) return unauthenticated('the install was not started here (no OAuth state cookie): start it again from the Shopify admin');
  if (err instanceof BotActivityDetected) return unauthenticated('automated clients cannot install the app');
  if (err instanceof InvalidJwtError) return unauthenticated('the session token is missing, forged or expired');
  if (err instanceof HttpResponseError) return unauthenticated(`Shopify refused the authorization code (HTTP ${err.response.code})`);
  if (err instanceof InvalidHostError) return new AppError('VALIDATION', "is not the base64 of a Shopify admin's address", { field: 'host' });
  // fetch's own failures: the store could not be reached to trade the code.
  if (err instanceof TypeError || (err instanceof Error && err.name === 'TimeoutError')) {
    return new AppError('UPSTREAM', 'Shopify could not be reached to complete the install: try again', { cause: err });
  }
  return null;
}

export function shopifyPluginRoutes(deps: Deps, options: ShopifyPluginOptions, log: Logger): express.Router {
  const shopify: Shopify = createShopifyApp(options, log.child({ plugin: 'shopify' }));
  const router = express.Router();
  const refused = (err: unknown) => shopifyRefusal(err) ?? err;

  // Install: the merchant's browser comes from the Shopify admin with ?shop=; off to Shopify's consent screen.
  router.get('/auth', async (req, res) => {
    const shop = typeof req.query.shop === 'string' ? shopify.utils.sanitizeShop(req.query.shop) : null;
    if (!shop) throw new AppError('VALIDATION', 'is not a shop domain such as demo.myshopify.com', { field: 'shop' });
    try {
      await shopify.auth.begin({ shop, callbackPath: CALLBACK_PATH, isOnline: false, rawRequest: req, rawResponse: res });
    } catch (err) {
      throw refused(err);
    }
  });

  // Shopify sends the merchant back with a code: the library checks the hmac, the state cookie and
  // the timestamp, and trades the code for the shop's offline token.
  router.get('/auth/callback', async (req, res) => {
    let session;
    try {
      ({ session } = await shopify.auth.callback({ rawRequest: req, rawResponse: res }));
    } catch (err) {
      throw refused(err);
    }
    if (!session.accessToken) throw new AppError('UPSTREAM', 'Shopify answered the code without an access token');
    const credentials = connectors.shopify.credentials.parse({
      shop: session.shop,
      accessToken: session.accessToken,
      apiSecret: options.apiSecret,
      ...(options.apiBaseUrl ? { apiBaseUrl: options.apiBaseUrl } : {}),
    });
    checkVendorUrls(credentials, connectors.shopify.urls, deps.allowedVendorHosts);
    const { tenantId, created } = await installAccount(deps, {
      type: 'shopify',
      account: session.shop,
      credentials,
      tenantName: session.shop,
      defaultRegion: options.defaultRegion,
    });
    req.log.info({ tenantId, created, scope: session.scope }, 'shopify app installed');
    // The webhooks are the app's configuration (shopify.app.toml, deployed with `shopify app deploy`):
    // Shopify subscribes every install to them, so none is registered here.
    const host = typeof req.query.host === 'string' ? req.query.host : null;
    const to = host
      ? await shopify.auth.getEmbeddedAppUrl({ rawRequest: req, rawResponse: res }).catch((err: unknown) => {
          throw refused(err);
        })
      : `https://${session.shop}/admin/apps/${options.apiKey}`;
    res.redirect(302, to);
  });

  router.use(flowRoutes(deps, shopify));
  router.use(embeddedRoutes(deps, shopify, { apiKey: options.apiKey }));
  return router;
}
