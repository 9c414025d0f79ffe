/** The express application: health, metrics, docs, the console at /app, REST under /v1, tRPC at /trpc, errors as problem+json. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Deps } from '../core/deps.ts';
import { AppError } from '../core/errors.ts';
import { docsRouter } from './http/docs.ts';
import { errorHandler } from './http/problem.ts';
import { securityHeaders } from './http/security.ts';
import { createAuthLimiter, type AuthLimitOptions } from './http/auth-limit.ts';
import { requireMetricsToken } from './http/metrics-token.ts';
import { JSON_BODY_LIMIT } from './http/limits.ts';
import { acceptedQuery } from './http/text.ts';
import { createMetrics } from './metrics.ts';
import { procedures } from './procedures/index.ts';
import { restRouter } from './rest.ts';
import { fileRoutes } from './routes/files.ts';
import { linkRoutes } from './routes/links.ts';
import { mediaRoutes } from './routes/media.ts';
import { consoleRoutes } from './routes/console.ts';
import { trpcMiddleware } from './trpc.ts';
import type { JobQueue } from '../core/jobs/queue.ts';
import type { Clock, WebhookVerifier } from '../core/ports.ts';
import { twilioWebhooks } from '../webhooks/twilio.ts';
import { shopifyWebhook } from '../webhooks/shopify.ts';
import { hubspotWebhook } from '../webhooks/hubspot.ts';
import { salesforceWebhook } from '../webhooks/salesforce.ts';
import { hubspotPluginRoutes } from './routes/plugins/hubspot.ts';
import { SHOPIFY_BASE, shopifyPluginRoutes, type ShopifyPluginOptions } from './routes/plugins/shopify.ts';
import type { IntentClassifier } from '../core/intents/intents.ts';
import { createOfflineClassifier } from '../core/intents/classifier.ts';

export interface AppOptions {
  deps: Deps;
  log: Logger;
  maxUploadBytes?: number;
  /** Extra readiness checks (e.g. Redis) besides the database. */
  readyChecks?: Record<string, () => Promise<void>>;
  /** The chase engine's queue and the carrier's webhook verifier; without them chases cannot start here. */
  engine?: { jobs: JobQueue; clock?: Clock; verifier: WebhookVerifier; publicBaseUrl: string; classifier?: IntentClassifier };
  /** The limit on failed authentications per client address (default 20 a minute, in memory). */
  authLimit?: AuthLimitOptions;
  /** CHASELINE_METRICS_TOKEN: when set, /metrics wants it as a bearer token. */
  metricsToken?: string;
  /** Where the console's build is served from (default console/dist). */
  consoleDist?: string;
  /** The apps Chaseline runs inside vendors' products (with `engine`): the Shopify app when its credentials are set. */
  plugins?: { shopify?: ShopifyPluginOptions };
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export function createApp(options: AppOptions): express.Express {
  const { log, engine } = options;
  const deps = engine ? { ...options.deps, jobs: engine.jobs, clock: engine.clock } : options.deps;
  const app = express();
  const metrics = createMetrics(deps.db);
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  // Read by every route that authenticates (http/auth-limit.ts), REST and tRPC alike.
  app.locals.authLimiter = createAuthLimiter(options.authLimit);

  app.use(
    pinoHttp({
      logger: log,
      // Honour a caller's X-Request-Id so one id follows a request across services.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Headers may carry keys; bodies and query strings may carry PII. Log neither.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: String(req.url).split('?')[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(metrics.middleware);
  app.use(acceptedQuery); // core/common/text.ts: what text is accepted, for every route's query string

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    let ready = true;
    const all = { database: async () => void (await deps.db.query('select 1')), ...options.readyChecks };
    for (const [name, check] of Object.entries(all)) {
      try {
        await check();
        checks[name] = 'ok';
      } catch {
        checks[name] = 'unreachable';
        ready = false;
      }
    }
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', requireMetricsToken(options.metricsToken), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Built from the procedures by openapi/ (`npm run openapi`); read, not imported, so api/ does not depend on it.
  const openapi = readFileSync(new URL('../openapi/openapi.json', import.meta.url), 'utf8');
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openapi);
  });
  app.use(docsRouter());

  const json = express.json({ limit: JSON_BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  // Creating and changing JSON resources must say so; anything else is 415, not a guess.
  const requireJson: express.RequestHandler = (req, _res, next) => {
    if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `send JSON with "Content-Type: application/json" (got "${req.get('content-type') ?? 'none'}")`, {
        field: 'Content-Type',
      });
    }
    next();
  };
  if (engine) {
    app.use(
      '/webhooks/twilio',
      twilioWebhooks({
        deps: { ...deps, jobs: engine.jobs },
        verifier: engine.verifier,
        classifier: engine.classifier ?? createOfflineClassifier(),
        publicBaseUrl: engine.publicBaseUrl,
        log,
      }),
    );
    app.use('/webhooks/shopify', shopifyWebhook({ deps: { ...deps, jobs: engine.jobs }, log }));
    app.use('/webhooks/hubspot', hubspotWebhook({ deps: { ...deps, jobs: engine.jobs }, publicBaseUrl: engine.publicBaseUrl, log }));
    app.use('/webhooks/salesforce', salesforceWebhook({ deps: { ...deps, jobs: engine.jobs }, log }));
    app.use('/plugins/hubspot', hubspotPluginRoutes({ ...deps, jobs: engine.jobs }, { publicBaseUrl: engine.publicBaseUrl, log }));
    if (options.plugins?.shopify) app.use(SHOPIFY_BASE, shopifyPluginRoutes({ ...deps, jobs: engine.jobs }, options.plugins.shopify, log));
  }
  app.use(fileRoutes(deps, { maxUploadBytes: options.maxUploadBytes ?? 50 * 1048576, metrics }));
  app.use(linkRoutes(deps));
  app.use(mediaRoutes(deps));
  app.use(consoleRoutes(deps, { dist: options.consoleDist }));
  app.use('/v1', requireJson, json); // not /trpc: it reads its own bodies and answers bad JSON in its own format
  app.use(restRouter(deps, procedures));
  app.use('/trpc', trpcMiddleware(deps));

  app.use((req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route for ${req.method} ${req.path}`, { field: 'path' }));
  });
  app.use(errorHandler);
  return app;
}
