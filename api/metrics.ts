/** Prometheus metrics served at /metrics. */
import type { RequestHandler } from 'express';
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  middleware: RequestHandler;
  /** Rows imported, by import kind and outcome (created, updated, rejected). */
  importRows: Counter<'kind' | 'outcome'>;
}

export function createMetrics(db?: Pick<pg.Pool, 'query'>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (db) {
    // Read from the database at scrape time: deliveries are sent by whichever worker process
    // took the job, so no one process's counters would add up to the whole.
    const deliveries = new Gauge({
      name: 'chaseline_event_deliveries',
      help: 'Outbound event deliveries by status (pending, delivered, dead), all tenants',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const { rows } = await db.query<{ status: string; n: string }>(`select status, count(*) as n from event_deliveries group by status`);
        this.reset();
        for (const status of ['pending', 'delivered', 'dead']) this.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
      },
    });
    const sends = new Gauge({
      name: 'chaseline_event_delivery_attempts',
      help: 'POSTs made for outbound event deliveries still in the log, all tenants',
      registers: [registry],
      async collect() {
        const { rows } = await db.query<{ n: string | null }>(`select sum(attempts) as n from event_deliveries`);
        this.set(Number(rows[0]?.n ?? 0));
      },
    });
    void deliveries;
    void sends;
  }
  const duration = new Histogram({
    name: 'chaseline_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'chaseline_http_errors_total',
    help: 'HTTP responses with status >= 500',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const importRows = new Counter({
    name: 'chaseline_import_rows_total',
    help: 'Rows of imported files, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, never the raw URL: ids would explode the label set.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.path.startsWith('/trpc') ? '/trpc' : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
      if (res.statusCode >= 500) errors.inc({ route });
    });
    next();
  };
  return { registry, middleware, importRows };
}
