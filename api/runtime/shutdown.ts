/**
 * A drained stop on SIGTERM (what an orchestrator sends before SIGKILL) and SIGINT (Ctrl-C):
 * the listening socket closes at once, so a new connection is refused and a load balancer
 * moves on; idle keep-alive connections close at once too; requests in flight finish (each
 * answered with `Connection: close`), bounded by `drainMs`, after which the rest are cut;
 * meanwhile the workers finish the jobs they hold. Then pg-boss, Redis and the pools close and
 * the process exits 0. A second signal cuts the remaining connections at once.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export interface DrainOptions {
  log: Logger;
  /** Runs while the server drains: the workers finish their jobs (bounded by the caller). */
  alongside?: () => Promise<void>;
  /** Runs after both, in order: the queue, shared state, the pools. */
  finally: () => Promise<void>;
  /** How long requests in flight may take; default 25 s (inside Kubernetes' default 30 s grace). */
  drainMs?: number;
}

/** Resolves when `promise` settles or `ms` pass, whichever is first; says which. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops `server` taking connections and waits (up to `drainMs`) for the ones in flight. */
async function drainServer(server: Server, drainMs: number, log: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // A connection whose last request just finished is idle now: close it rather than wait for
  // the keep-alive timeout (Connection: close normally ends it already).
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  try {
    if (!(await within(closed, drainMs))) {
      log.warn({ drainMs }, 'requests still in flight after the drain period: closing their connections');
      server.closeAllConnections();
      await closed;
    }
  } finally {
    clearInterval(sweep);
  }
}

export interface Drain {
  /** The HTTP server to drain, once it listens (a worker has none). */
  serve(server: Server): void;
}

export function drainOnSignals(options: DrainOptions): Drain {
  const { log } = options;
  const drainMs = options.drainMs ?? 25_000;
  let server: Server | undefined;
  let stopping = false;
  // Responses not yet sent: told to close their connection once the drain begins, so the
  // client opens its next request elsewhere instead of reusing a connection about to go.
  const pending = new Set<ServerResponse>();
  const closing = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: closing the remaining connections now');
      server?.closeAllConnections();
      return;
    }
    stopping = true;
    log.info({ signal, inFlight: pending.size, drainMs }, 'shutting down: no new connections; finishing the requests in flight and the running jobs');
    pending.forEach(closing);
    try {
      await Promise.all([server ? drainServer(server, drainMs, log) : undefined, options.alongside?.()]);
      await options.finally();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal));

  return {
    serve(s) {
      server = s;
      // Before the app's own listener, so the header is set before any answer is written.
      s.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
        if (stopping) return closing(res);
        pending.add(res);
        res.once('close', () => pending.delete(res));
      });
    },
  };
}
