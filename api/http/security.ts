/**
 * Headers every response carries: helmet's set (nosniff, frame denial, a Content-Security-
 * Policy the /docs page works under, no referrer…), HSTS only when the request came over TLS,
 * and `Cache-Control: no-store` unless a route says otherwise — API answers, exports, TwiML and
 * replays carry names and numbers that no browser or proxy cache should keep.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

// Same-origin only: Swagger UI's bundle, stylesheet and init script are served from /docs
// (no CDN, no inline script). Its React components set style attributes, hence
// 'unsafe-inline' for styles alone; its icons are data: URIs.
const csp = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
  },
};

const HSTS = 'max-age=31536000; includeSubDomains';

export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: csp,
      xFrameOptions: { action: 'deny' },
      // Sent below only over TLS: over plain http (a laptop, a container behind a proxy that
      // did not say https) it would be ignored at best and pin a name to https at worst.
      strictTransportSecurity: false,
    }),
    (req, res, next) => {
      // req.secure is true over TLS, or when a proxy the app trusts ('trust proxy') says X-Forwarded-Proto: https.
      if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
      // The default; routes whose answers may be kept (static assets, audio) set their own.
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
  ];
}
