/**
 * CRM connectors benchmark (docs/benchmarks.md, "CRM connectors"): each connector through its
 * simulator over HTTP with the vendor's real SDK, and Chaseline's own sync and outbox code on
 * a real PostgreSQL.
 *
 *   - contacts per minute: a first sync of N contacts pulled with `pullContacts(null)` alone,
 *     then pulled and stored by `runSync` (core/crm/sync.ts, what the worker runs), then an
 *     incremental sync after 1% of them changed;
 *   - API calls: the simulator's requests for each of those, and for N write-backs sent by
 *     `sendWriteBacks` (core/outbox/outbox.ts, the worker's sender), against the fewest the
 *     vendor's batch sizes allow; HubSpot's search cap (10,000 results) crossed with more.
 *
 *   DATABASE_URL=postgres://… npm run bench:sync       # a fresh database on that server, dropped after
 *   npm run bench:sync                                 # embedded PostgreSQL in a temp dir
 *   npm run bench:sync -- --contacts 2000 --runs hubspot-fast,salesforce-rest
 *
 * Runs (--runs, comma-separated): hubspot-paced (the simulator enforces HubSpot's limits and
 * the connector paces itself, as in production), hubspot-fast (both off; pull and write-backs
 * only), hubspot-cap (pulls of --cap-contacts, past search's 10,000-result cap),
 * salesforce-rest, salesforce-bulk (bulkThreshold 1,000; the pull only). hubspot-fast-sync and
 * salesforce-bulk-sync add the first and incremental syncs to those two (not run by default:
 * each stores N contacts again, at the rate the other runs measure).
 * Salesforce's N is 80% Contacts and 20% Leads.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { saveConnector } from '../core/integrations/connectors.ts';
import { runSync } from '../core/crm/sync.ts';
import { createPool } from '../core/db/pool.ts';
import { migrate } from '../core/db/migrate.ts';
import type { Actor, Deps } from '../core/deps.ts';
import { enqueueWriteBacks, sendWriteBacks } from '../core/outbox/outbox.ts';
import { createPii } from '../core/privacy/pii.ts';
import type { WriteBack } from '../core/ports.ts';
import { bootstrapDefaultTenant, createTenant } from '../core/tenants/tenants.ts';
import { fmt, openBenchDatabase } from './support.ts';
import { hubspotVendor, salesforceVendor, type Minimum, type SimRequest, type Vendor } from './sync.vendors.ts';

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '10000' },
    'cap-contacts': { type: 'string', default: '25000' },
    runs: { type: 'string', default: 'hubspot-paced,hubspot-fast,hubspot-cap,salesforce-rest,salesforce-bulk' },
  },
});
const N = Number(args.contacts);
const CAP_N = Number(args['cap-contacts']);
const RUNS = new Set(args.runs.split(','));

// ---------------------------------------------------------------------------------------
// Counting: SQL statements sent by this process (every pool query and transaction statement
// goes through pg.Client#query), and the simulator's requests by kind.

let statements = 0;
const clientProto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
const originalQuery = clientProto.query;
clientProto.query = function (this: unknown, ...a: unknown[]) {
  statements++;
  return originalQuery.apply(this, a);
};

const breakdown = (requests: SimRequest[]) => {
  const kinds = new Map<string, number>();
  for (const r of requests) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
  const limited = requests.filter((r) => r.status === 429).length;
  return [...kinds].map(([k, n]) => `${k} ${n}`).join(', ') + (limited ? ` (${limited} answered 429)` : '');
};

interface Result {
  connector: string;
  run: string;
  items: number;
  seconds: number;
  /** This process's CPU time meanwhile: Chaseline, the SDK and the simulator (PostgreSQL is not in it). */
  cpuSeconds: number;
  perMinute: number;
  requests: number;
  minimum?: Minimum;
  breakdown: string;
  rateLimited: number;
  /** SQL statements sent, and per contact for the syncs. */
  statements: number;
  statementsPerItem?: number;
  checked?: string;
}
const results: Result[] = [];

/** Runs `fn`, timing it and counting the simulator's requests and our statements meanwhile. */
async function measure(
  vendor: Vendor,
  run: string,
  fn: () => Promise<{ items: number; checked?: string }>,
  minimum?: Minimum,
  perContact = false,
): Promise<Result> {
  const mark = vendor.requests().length;
  const sql = statements;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { items, checked } = await fn();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const sent = vendor.requests().slice(mark);
  const result: Result = {
    connector: vendor.label,
    run,
    items,
    seconds: Number(seconds.toFixed(2)),
    cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(2)),
    perMinute: Math.round((items / seconds) * 60),
    requests: sent.length,
    ...(minimum ? { minimum } : {}),
    breakdown: breakdown(sent),
    rateLimited: sent.filter((r) => r.status === 429).length,
    statements: statements - sql,
    ...(perContact ? { statementsPerItem: Number(((statements - sql) / Math.max(1, items)).toFixed(1)) } : {}),
    ...(checked ? { checked } : {}),
  };
  results.push(result);
  console.error(
    `${vendor.label} — ${run}: ${fmt(items)} in ${result.seconds} s (${fmt(result.perMinute)}/min), ${result.requests} requests${minimum ? ` (minimum ${minimum.requests})` : ''}`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------
// The runs

interface Bench {
  deps: Deps;
  admin: Actor;
}

async function pullAlone(vendor: Vendor, run: string, account: string) {
  await measure(
    vendor,
    run,
    async () => {
      let items = 0;
      const ids = new Set<string>();
      for await (const page of vendor.connector(account).pullContacts(null)) {
        items += page.contacts.length;
        for (const c of page.contacts) ids.add(c.externalId);
      }
      // A pull that skips or repeats a record is a connector bug, not a number to report.
      if (items !== ids.size || ids.size !== vendor.ids().length)
        throw new Error(`${vendor.label}: pulled ${items} records, ${ids.size} distinct, of ${vendor.ids().length}`);
      return { items, checked: `${fmt(ids.size)} distinct of ${fmt(vendor.ids().length)}` };
    },
    vendor.pullMinimum(),
  );
}

/** A tenant of its own per vendor run, its connector saved (runSync keeps its cursor and state there). */
async function tenantFor(bench: Bench, vendor: Vendor): Promise<string> {
  const tenant = await createTenant(bench.deps, bench.admin, { name: vendor.label, defaultRegion: 'CN' });
  await saveConnector(bench.deps, tenant.id, vendor.type, vendor.credentials);
  return tenant.id;
}

async function sync(bench: Bench, vendor: Vendor, tenantId: string, run: string, minimum: Minimum) {
  const deps = { ...bench.deps, crm: async (tenant: string) => vendor.connector(tenant) };
  const result = await measure(vendor, run, async () => ({ items: (await runSync(deps, { tenantId, type: vendor.type })).contacts }), minimum, true);
  // Checked after the clock stopped: the sync ended well and stored what it pulled.
  const { rows } = await bench.deps.db.query<{ status: string; cursor: number; contacts: number; refs: number; optouts: number }>(
    `select (select sync_status from connectors where tenant_id = $1 and type = $2) as status,
            (select length(cursor::text) from connectors where tenant_id = $1 and type = $2) as cursor,
            (select count(*)::int from contacts where tenant_id = $1) as contacts,
            (select count(*)::int from contact_crm_refs where tenant_id = $1) as refs,
            (select count(*)::int from consent_events where tenant_id = $1) as optouts`,
    [tenantId, vendor.type],
  );
  const r = rows[0]!;
  if (r.status !== 'ok') throw new Error(`${vendor.label}: the sync ended ${r.status}`);
  result.checked = `sync ok; ${fmt(r.contacts)} contacts, ${fmt(r.refs)} CRM refs, ${fmt(r.optouts)} opt-outs stored; cursor ${fmt(r.cursor)} characters`;
}

async function writeBacks(bench: Bench, vendor: Vendor, tenantId: string) {
  for (const { what, items, minimum } of vendor.writeBacks()) {
    const kind = items[0]!.kind;
    for (let i = 0; i < items.length; i += 2000) {
      await enqueueWriteBacks(
        bench.deps.db,
        bench.deps,
        tenantId,
        items.slice(i, i + 2000).map((item: WriteBack, j) => ({ connector: vendor.type, item, dedupeKey: `bench:${kind}:${i + j}` })),
      );
    }
    const deps = { ...bench.deps, writeBack: async (tenant: string) => vendor.connector(tenant) };
    await measure(
      vendor,
      `write-back: ${what}`,
      async () => {
        const sent = await sendWriteBacks(deps, { tenantId, connector: vendor.type });
        if (sent.done !== items.length)
          throw new Error(`${vendor.label}: ${sent.done} of ${items.length} write-backs done (${sent.dead} dead, ${sent.retrying} retrying)`);
        return { items: sent.done, checked: `${fmt(sent.done)} done` };
      },
      minimum,
    );
  }
}

/** Pull alone; then (store) the first sync and an incremental one of 1% changed; then (writeBacks) the write-backs. */
async function fullRun(bench: Bench, vendor: Vendor, parts: { store: boolean; writeBacks: boolean }) {
  try {
    const tenantId = await tenantFor(bench, vendor);
    await pullAlone(vendor, 'pull alone (first sync)', tenantId);
    if (parts.store) {
      await sync(bench, vendor, tenantId, 'pull + store (first sync, runSync)', vendor.pullMinimum());
      const changed = vendor.changeOnePercent();
      await sync(bench, vendor, tenantId, `incremental sync, ${fmt(changed)} changed (1%)`, vendor.incrementalMinimum(changed));
    }
    if (parts.writeBacks) await writeBacks(bench, vendor, tenantId);
  } finally {
    await vendor.close();
  }
}

// ---------------------------------------------------------------------------------------

function printTables(pgVersion: string) {
  const syncs = results.filter((r) => !r.run.startsWith('write-back'));
  const lines = [
    `\nCRM connectors benchmark — ${os.cpus().length} cores, Node ${process.version}, ${pgVersion}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
    '| connector | run | contacts | seconds | Node CPU s | contacts/min | SQL statements per contact |',
    '|---|---|---|---|---|---|---|',
    ...syncs.map(
      (r) => `| ${r.connector} | ${r.run} | ${fmt(r.items)} | ${r.seconds} | ${r.cpuSeconds} | **${fmt(r.perMinute)}** | ${r.statementsPerItem ?? ''} |`,
    ),
    '',
    '| connector | run | items | seconds | items/min | SQL statements | requests | minimum | extra | requests by kind |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.connector} | ${r.run} | ${fmt(r.items)} | ${r.seconds} | ${fmt(r.perMinute)} | ${fmt(r.statements)} | ${r.requests} | ${r.minimum ? `${r.minimum.requests} (${r.minimum.how})` : ''} | ${r.minimum ? r.requests - r.minimum.requests : ''} | ${r.breakdown} |`,
    ),
  ];
  console.log(lines.join('\n'));
}

async function main() {
  const database = await openBenchDatabase();
  const db = createPool(database.url);
  try {
    await migrate(db);
    const deps: Deps = { db, pii: createPii(randomBytes(32)) };
    const boot = await bootstrapDefaultTenant(deps, { defaultRegion: 'CN' });
    const bench: Bench = { deps, admin: { tenantId: boot.tenant.id, keyId: 'bench', role: 'admin', canManageTenants: true } };
    const pgVersion = (await db.query<{ v: string }>(`select 'PostgreSQL ' || current_setting('server_version') as v`)).rows[0]!.v;
    console.error(
      `load average at start: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const leads = Math.round(N * 0.2);

    if (RUNS.has('hubspot-paced'))
      await fullRun(bench, await hubspotVendor({ contacts: N, paced: true, label: 'HubSpot, paced' }), { store: true, writeBacks: true });
    // Storing is the same with the limits off (the pacer's wait is spent while a page is stored):
    // by default this run pulls and writes back only; hubspot-fast-sync stores too.
    for (const run of ['hubspot-fast', 'hubspot-fast-sync'].filter((r) => RUNS.has(r))) {
      await fullRun(bench, await hubspotVendor({ contacts: N, paced: false, label: 'HubSpot, limits off' }), {
        store: run === 'hubspot-fast-sync',
        writeBacks: true,
      });
    }
    if (RUNS.has('hubspot-cap')) {
      for (const times of ['spread', 'imported'] as const) {
        const vendor = await hubspotVendor({
          contacts: CAP_N,
          paced: false,
          times,
          label: `HubSpot, limits off, ${times === 'spread' ? 'one change a second' : 'bulk-imported (shared ms)'}`,
        });
        await pullAlone(vendor, `pull alone, ${fmt(CAP_N)} contacts (past the 10,000 search cap)`, 'cap').finally(() => vendor.close());
      }
    }
    if (RUNS.has('salesforce-rest')) {
      await fullRun(bench, await salesforceVendor({ contacts: N - leads, leads, bulkThreshold: Number.MAX_SAFE_INTEGER, label: 'Salesforce, REST' }), {
        store: true,
        writeBacks: true,
      });
    }
    // Stored, a Bulk pull costs what a REST one does (the same runSync): by default this run pulls only; salesforce-bulk-sync stores too.
    for (const run of ['salesforce-bulk', 'salesforce-bulk-sync'].filter((r) => RUNS.has(r))) {
      await fullRun(bench, await salesforceVendor({ contacts: N - leads, leads, bulkThreshold: 1000, label: 'Salesforce, Bulk 2.0' }), {
        store: run === 'salesforce-bulk-sync',
        writeBacks: false,
      });
    }

    printTables(pgVersion);
    console.log(
      JSON.stringify({ bench: 'sync', contacts: N, capContacts: CAP_N, node: process.version, cpus: os.cpus().length, postgres: pgVersion, results }),
    );
  } finally {
    await db.end();
    await database.drop();
  }
}

await main();
