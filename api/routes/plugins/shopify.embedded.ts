/**
 * The embedded admin page (/plugins/shopify/app) and its API (/plugins/shopify/api/*). The page is
 * shown inside the Shopify admin; App Bridge gives it a session token (`shopify.idToken()`) that
 * each API call carries as `Authorization: Bearer`. The token is an HS256 JWT signed with the app's
 * secret, for this app (aud) and one shop (dest), alive for a minute; the library checks all of it.
 * https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Shopify } from '@shopify/shopify-api';
import type { Deps } from '../../../core/deps.ts';
import { AppError } from '../../../core/errors.ts';
import { accountTenant } from '../../../core/integrations/installs.ts';
import { STORE_SYSTEM } from '../../../core/commerce/commerce.ts';
import { getCartChasing, setCartChasing, storeOverview } from '../../../core/commerce/settings.ts';
import { JSON_BODY_LIMIT } from '../../http/limits.ts';
import { shopifyPage } from '../../runtime/web-build.ts';

const YEAR_SECONDS = 365 * 24 * 3600;
/** App Bridge, as Shopify requires it: from its CDN, the first script of the page. */
const APP_BRIDGE = 'https://cdn.shopify.com/shopifycloud/app-bridge.js';

type TenantLocals = { tenantId: string; shop: string };

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The built page with the app's client id and App Bridge put first into its head. */
export function embeddedHtml(built: string, apiKey: string): string {
  const head = `<meta name="shopify-api-key" content="${escapeAttr(apiKey)}" />\n    <script src="${APP_BRIDGE}"></script>`;
  return built.replace(/<head>/i, `<head>\n    ${head}`);
}

export function embeddedRoutes(deps: Deps, shopify: Shopify, options: { apiKey: string }): express.Router {
  const dist = shopifyPage.dist;
  const router = express.Router();

  // Who is calling: the shop the session token is for, and that shop's tenant.
  const sessionShop: express.RequestHandler = async (req, res, next) => {
    const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
    if (!match) throw new AppError('UNAUTHENTICATED', 'send the App Bridge session token as "Authorization: Bearer <token>"');
    let dest: string;
    try {
      ({ dest } = await shopify.session.decodeSessionToken(match[1]!));
    } catch {
      // Its message quotes the token: ours says what was wrong without it.
      throw new AppError('UNAUTHENTICATED', 'the session token is forged, expired or for another app');
    }
    const shop = shopify.utils.sanitizeShop(dest.replace(/^https:\/\//, ''));
    const tenantId = shop ? await accountTenant(deps, STORE_SYSTEM, shop) : null;
    if (!shop || !tenantId) throw new AppError('UNAUTHENTICATED', 'the shop has not installed Chaseline (or uninstalled it)');
    res.locals.store = { tenantId, shop } satisfies TenantLocals;
    next();
  };
  const store = (res: express.Response) => res.locals.store as TenantLocals;

  const api = express.Router();
  api.use(sessionShop);
  api.get('/settings', async (_req, res) => {
    res.json(await getCartChasing(deps, store(res).tenantId));
  });
  api.put('/settings', express.json({ limit: JSON_BODY_LIMIT }), async (req, res) => {
    if (!req.is('application/json')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send JSON with "Content-Type: application/json"', { field: 'Content-Type' });
    const saved = await setCartChasing(deps, store(res).tenantId, req.body);
    req.log.info({ tenantId: store(res).tenantId, enabled: saved.enabled }, 'shopify cart chasing saved');
    res.json(saved);
  });
  api.get('/overview', async (_req, res) => {
    res.json(await storeOverview(deps, store(res).tenantId));
  });
  router.use('/api', api);

  router.use(
    '/app/assets',
    express.static(path.join(dist, 'assets'), {
      index: false,
      fallthrough: false,
      setHeaders: (res) => res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`),
    }),
  );
  router.get(/^\/app(\/.*)?$/, (req, res) => {
    const index = path.join(dist, 'index.html');
    if (!existsSync(index)) {
      // Built in the background at start (api/runtime/web-build.ts), or by `npm run build --workspace plugins/shopify`.
      res.status(503).setHeader('Retry-After', '10').type('text/plain').send('The Shopify page is being built: try again in a few seconds.');
      return;
    }
    // Shown in the shop's admin, so framed by it alone; App Bridge comes from Shopify's CDN.
    const shop = typeof req.query.shop === 'string' ? shopify.utils.sanitizeShop(req.query.shop) : null;
    const ancestors = [...(shop ? [`https://${shop}`] : []), 'https://admin.shopify.com'].join(' ');
    res.removeHeader('X-Frame-Options');
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        "base-uri 'self'",
        "connect-src 'self'",
        "img-src 'self' data: https://cdn.shopify.com",
        "font-src 'self' data: https://cdn.shopify.com",
        "object-src 'none'",
        `script-src 'self' https://cdn.shopify.com`,
        "script-src-attr 'none'",
        "style-src 'self' 'unsafe-inline' https://cdn.shopify.com",
        `frame-ancestors ${ancestors}`,
      ].join('; '),
    );
    res.type('html').send(embeddedHtml(readFileSync(index, 'utf8'), options.apiKey));
  });
  return router;
}
