/**
 * Where a bench run's work goes: statements sent to PostgreSQL (every `pg` client of this
 * process but the bench's own observer), and CPU time of this process, of the database
 * backends serving the bench database (from /proc: pg_stat_statements needs a preload this
 * server does not have), and of the simulator child.
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';

const observers = new WeakSet<object>();
let statements = 0;
const byKind = new Map<string, number>();

const kinds = new Map<string, string>();

/** Statements are grouped by their first words: enough to tell pg-boss's from the engine's. Cached: the texts are constants. */
function kindOf(text: string): string {
  let kind = kinds.get(text);
  if (kind === undefined) {
    kind = classify(text);
    if (kinds.size < 10_000) kinds.set(text, kind);
  }
  return kind;
}

function classify(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (/pgboss\./i.test(t)) {
    const table = /pgboss\.(\w+)/i.exec(t)?.[1] ?? '';
    return `pg-boss ${t.split(' ')[0]!.toLowerCase()} ${table}`;
  }
  return t.slice(0, 90);
}

let installed = false;

/** Counts every statement sent by a `pg` client, from now on (once per process). */
export function countStatements(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (!observers.has(this)) {
      statements++;
      const config = args[0];
      const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '');
      const kind = kindOf(text);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
}

/** A pool whose statements are not counted: the bench's own polling and bookkeeping. */
export function observerPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'chaseline-bench-observer' });
  pool.on('connect', (client) => observers.add(client));
  pool.on('error', () => {});
  return pool;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms of one process from /proc (utime + stime); 0 once it is gone. */
async function procCpuMs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

async function backendsCpuMs(observer: pg.Pool): Promise<Map<number, number>> {
  const { rows } = await observer.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() and application_name <> 'chaseline-bench-observer'`,
  );
  return new Map(await Promise.all(rows.map(async (r) => [r.pid, await procCpuMs(r.pid)] as const)));
}

export interface Usage {
  statements: number;
  /** The most frequent statements (first words), with their counts. */
  topStatements: [string, number][];
  appCpuMs: number;
  /** Backends alive at the end (a backend that ended mid-run is missed: the pool keeps its 10 while busy). */
  pgCpuMs: number;
  simCpuMs: number | null;
}

/** Starts measuring; `stop()` returns what was used since. */
export async function startMeter(observer: pg.Pool, simCpuMs: () => Promise<number | null>) {
  const statements0 = statements;
  const kinds0 = new Map(byKind);
  const app0 = process.cpuUsage();
  const pg0 = await backendsCpuMs(observer);
  const sim0 = await simCpuMs();
  return {
    async stop(): Promise<Usage> {
      const app = process.cpuUsage(app0);
      const pg1 = await backendsCpuMs(observer);
      const sim1 = await simCpuMs();
      let pgCpuMs = 0;
      for (const [pid, ms] of pg1) pgCpuMs += ms - (pg0.get(pid) ?? 0);
      const top = [...byKind]
        .map(([k, n]) => [k, n - (kinds0.get(k) ?? 0)] as [string, number])
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1]);
      return {
        statements: statements - statements0,
        topStatements: top.slice(0, 25),
        appCpuMs: Math.round((app.user + app.system) / 1000),
        pgCpuMs,
        simCpuMs: sim0 === null || sim1 === null ? null : Math.round(sim1 - sim0),
      };
    },
  };
}

/** Per chase, to one decimal. */
export function perChase(u: Usage, chases: number) {
  const r = (n: number) => Math.round((n / chases) * 10) / 10;
  return {
    statements: r(u.statements),
    cpuMs: {
      total: r(u.appCpuMs + u.pgCpuMs + (u.simCpuMs ?? 0)),
      app: r(u.appCpuMs),
      postgres: r(u.pgCpuMs),
      ...(u.simCpuMs === null ? {} : { simulator: r(u.simCpuMs) }),
    },
  };
}
