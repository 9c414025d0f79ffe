/**
 * TwiML webhook latency with many calls in flight: N simulated calls at once (started over
 * `--ramp` ms), each asking /webhooks/twilio/voice and then answering two <Gather>s ("how
 * much is it", then "ok, send it") after a `--think` pause for the prompt and the answer, the
 * way Twilio would — signed form posts following each TwiML's action URL. The
 * server (the real express app, the offline intent classifier, PostgreSQL) runs in this
 * process; the calls come from a child process, so the load generator does not share the
 * server's event loop.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:twiml
 *   npm run bench:twiml -- --calls 500 --rounds 3 --ramp 2000 --think 2000-5000
 *   npm run bench:twiml -- --ramp 0 --think 0-0      # every request at once: the server's throughput
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createApp } from '../api/app.ts';
import { createPool } from '../core/db/pool.ts';
import { migrate } from '../core/db/migrate.ts';
import { createPii } from '../core/privacy/pii.ts';
import { bootstrapDefaultTenant } from '../core/tenants/tenants.ts';
import { createCampaign } from '../core/campaigns/campaigns.ts';
import { createJobQueue, startBoss } from '../core/jobs/queue.ts';
import { systemClock } from '../core/deps.ts';
import { createTwilioConnector } from '../connectors/twilio/index.ts';
import { openBenchDatabase } from './support.ts';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '3' },
    pool: { type: 'string', default: '10' },
    /** The calls start spread over this many ms. */
    ramp: { type: 'string', default: '2000' },
    /** min-max ms between a call's requests (the prompt, then the answer); 0-0 fires them back to back. */
    think: { type: 'string', default: '2000-5000' },
    /** Calls played before the measured rounds (JIT, the pool's connections, the classifier's training); 0 measures a cold process. */
    warmup: { type: 'string', default: '100' },
  },
});
const CALLS = Number(args.calls);
const AUTH_TOKEN = randomBytes(16).toString('hex');
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function main() {
  const database = await openBenchDatabase();
  const db = createPool(database.url, { max: Number(args.pool) });
  const server = createServer();
  try {
    await migrate(db);
    const deps = { db, pii: createPii(randomBytes(32)) };
    const { tenant } = await bootstrapDefaultTenant(deps, { adminKey: `chl_bench_${randomBytes(16).toString('hex')}`, defaultRegion: 'CN' });
    const boss = await startBoss(db);
    const jobs = createJobQueue(boss);
    const campaign = await createCampaign(deps, tenant.id, {
      name: 'bench',
      channel: { policy: 'voice' },
      scripts: [{ name: 's', say: 'Hello {{name}}, your cart is waiting. Shall I text you the link?', sms: 'Your cart: {{context.link}}' }],
      lines: [{ from: '+14155550100', minPriority: 0 }],
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const verifier = createTwilioConnector({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://127.0.0.1:9' });
    server.on('request', createApp({ deps, log: pino({ level: 'warn' }), engine: { jobs, clock: systemClock, verifier, publicBaseUrl: url } }));

    console.error(
      `load average at start: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const play = async (n: number, round: number) => {
      // A fresh set of n calls in progress, as if the worker had just placed them: nothing about them is cached yet.
      const attempts = await seedCalls(db, deps.pii, tenant.id, campaign.id, n, round);
      const child = fork(new URL('./twiml-load.process.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
      child.send({ url, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, attempts, rampMs: Number(args.ramp), thinkMs: args.think.split('-').map(Number) });
      const [report] = (await once(child, 'message')) as [{ voice: number[]; gather: number[]; errors: number; wallMs: number }];
      child.kill();
      return report;
    };
    if (Number(args.warmup) > 0) await play(Number(args.warmup), 0);
    const results = [];
    for (let round = 1; round <= Number(args.rounds); round++) {
      const report = await play(CALLS, round);
      const voice = report.voice.sort((a, b) => a - b);
      const gather = report.gather.sort((a, b) => a - b);
      const all = [...voice, ...gather].sort((a, b) => a - b);
      results.push({
        round,
        warmup: Number(args.warmup),
        calls: CALLS,
        requests: all.length,
        errors: report.errors,
        ramp: Number(args.ramp),
        think: args.think,
        requestsPerSecond: Math.round(all.length / (report.wallMs / 1000)),
        voiceMs: { p50: quantile(voice, 0.5), p99: quantile(voice, 0.99) },
        gatherMs: { p50: quantile(gather, 0.5), p99: quantile(gather, 0.99) },
        allMs: { p50: quantile(all, 0.5), p99: quantile(all, 0.99), max: all.at(-1) },
      });
      console.log(JSON.stringify(results.at(-1)));
    }
    await boss.stop({ graceful: false, wait: true, close: false }).catch(() => undefined);
  } finally {
    server.closeAllConnections();
    server.close();
    await db.end();
    await database.drop();
  }
}

async function seedCalls(
  db: ReturnType<typeof createPool>,
  pii: ReturnType<typeof createPii>,
  tenantId: string,
  campaignId: string,
  n: number,
  round: number,
): Promise<string[]> {
  const contacts = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    phone: `+86139${String(round * 100_000 + i).padStart(8, '0')}`,
    name: `Bench ${i}`,
  }));
  await db.query(
    `insert into contacts (tenant_id, id, phone_hash, phone_enc, name_enc) select $1, id, hash, enc, name from unnest($2::uuid[], $3::bytea[], $4::text[], $5::text[]) as t (id, hash, enc, name)`,
    [
      tenantId,
      contacts.map((c) => c.id),
      contacts.map((c) => pii.phoneIndex(c.phone)),
      contacts.map((c) => pii.encrypt(c.phone)),
      contacts.map((c) => pii.encrypt(c.name)),
    ],
  );
  const chases = contacts.map(() => randomUUID());
  await db.query(
    `insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, script, context_enc, next_channel, due_at, deadline_at)
     select $1, ch, $2, c, h, 'dialing', 's', $6, 'voice', now(), now() + interval '1 day' from unnest($3::uuid[], $4::uuid[], $5::bytea[]) as t (ch, c, h)`,
    [
      tenantId,
      campaignId,
      chases,
      contacts.map((c) => c.id),
      contacts.map((c) => pii.phoneIndex(c.phone)),
      pii.encrypt(JSON.stringify({ link: 'https://shop.example/r/1', price: '$49' })),
    ],
  );
  const attempts = contacts.map(() => randomUUID());
  await db.query(
    `insert into attempts (tenant_id, id, chase_id, campaign_id, phone_hash, channel, status, from_number)
     select $1, a, ch, $2, h, 'voice', 'in-progress', '+14155550100' from unnest($3::uuid[], $4::uuid[], $5::bytea[]) as t (a, ch, h)`,
    [tenantId, campaignId, attempts, chases, contacts.map((c) => pii.phoneIndex(c.phone))],
  );
  return attempts;
}

await main();
