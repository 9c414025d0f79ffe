/** The docs page at /docs: Swagger UI (served from the swagger-ui-dist package, no CDN) over /openapi.json. */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express from 'express';

const require = createRequire(import.meta.url);
const assets = dirname(require.resolve('swagger-ui-dist/package.json'));

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Chaseline API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// Kept in its own file (not inline) so a strict Content-Security-Policy can forbid inline scripts.
// persistAuthorization off: a pasted API key must not outlive the tab in localStorage.
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true, persistAuthorization: false });`;

export function docsRouter(): express.Router {
  const router = express.Router();
  router.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(init);
  });
  router.use(
    '/docs/assets',
    // Public, unchanging files: cached for a day instead of the app's default no-store.
    (_req, res, next) => {
      res.removeHeader('Cache-Control');
      next();
    },
    express.static(assets, { index: false, maxAge: '1d' }),
  );
  return router;
}
