/**
 * The same-I/O floor for bench/chases.bench.ts part (b): the least a correct chase engine
 * could do for the external work of one (b) chase, so Chaseline's chases/s can be read
 * against it (`Chaseline ÷ floor`) rather than against empty pg-boss jobs.
 *
 * The external work is Chaseline's, request for request:
 *   - the same pg-boss (same version, same instance and pool), jobs with the chase-step and
 *     call-status queues' settings, run by the same worker loop (`runQueue`, same batch size);
 *   - one Calls request per chase through the official `twilio` SDK to the same simulator,
 *     with the same parameters (status events ringing/answered/completed, async AMD with
 *     DetectMessageEnd, a 30 s timeout);
 *   - every signed callback over HTTP and verified with twilio's `validateRequest`: three
 *     status callbacks (each queued as a job deduplicated by CallSid + status), the AMD
 *     verdict, and the TwiML fetches of an answered, silent call (/voice and three /gather
 *     turns, each answering the TwiML Chaseline answers).
 *
 * What it writes, one statement each (its own three tables in the bench database):
 *   - the step: locks the due chase, inserts the attempt, moves the chase and adds its event;
 *   - a status job: moves the attempt forward only, adds its event, and on a final status
 *     completes the chase;
 *   - the AMD verdict: records who answered on the attempt.
 * The TwiML needs no statement: a silent turn changes nothing, and the script is the
 * campaign's, known to the process. There is no consent, cap or window to read (nothing
 * here could bind), no PII to decrypt, no express, no logging or metrics.
 *
 * No Chaseline code runs in its hot path but `runQueue` and the twilio SDK set-up
 * (`connectors/twilio/client.ts`, which points the SDK at the simulator), both on purpose.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import type PgBoss from 'pg-boss';
import twilio from 'twilio';
import { v5 as uuidv5 } from 'uuid';
import { twilioClient } from '../connectors/twilio/client.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../core/jobs/queue.ts';
import { runQueue } from '../core/jobs/runner.ts';
import type { Sim } from './twilio-sim.ts';

export const floorQueues = { step: 'floor-step', status: 'floor-status' } as const;

/** Its own tables; created once per bench database. */
export async function createFloorSchema(db: pg.Pool, boss: PgBoss): Promise<void> {
  await db.query(`
    create table floor_chases (
      id uuid primary key,
      phone text not null,
      status text not null default 'due',
      due_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create table floor_attempts (
      id uuid primary key,
      chase_id uuid not null references floor_chases,
      status text not null default 'dialing',
      call_sid text,
      answered_by text,
      created_at timestamptz not null default now(),
      ended_at timestamptz
    );
    create index on floor_attempts (chase_id);
    create table floor_events (
      id bigserial primary key,
      chase_id uuid not null,
      kind text not null,
      at timestamptz not null default now()
    );`);
  // The settings of chase-step and call-status (core/jobs/queue.ts `startBoss`).
  const common = { ...DEFAULT_QUEUE_SETTINGS, retryBackoff: true };
  await boss.createQueue(floorQueues.step, { name: floorQueues.step, ...common });
  await boss.createQueue(floorQueues.status, { name: floorQueues.status, ...common, retryLimit: 10 });
}

/** Inserts due chases and their step jobs, as `startChasesForSegment` does (set-based, jobs in chunks of 1,000). */
export async function startFloorChases(db: pg.Pool, boss: PgBoss, phones: string[]): Promise<string[]> {
  const ids = phones.map(() => randomUUID());
  await db.query(`insert into floor_chases (id, phone) select * from unnest($1::uuid[], $2::text[])`, [ids, phones]);
  for (let i = 0; i < ids.length; i += 1000) {
    await boss.insert(ids.slice(i, i + 1000).map((chaseId) => ({ name: floorQueues.step, data: { chaseId } })));
  }
  return ids;
}

/**
 * Locks the chase if it is still due, inserts its attempt, moves it to dialing and adds the
 * event, in one statement; returns the number to dial (none: already taken by another run).
 */
const STEP = `
  with c as (select id, phone from floor_chases where id = $1 and status = 'due' for update),
       a as (insert into floor_attempts (id, chase_id) select $2, id from c returning chase_id),
       m as (update floor_chases f set status = 'dialing', updated_at = now() from a where f.id = a.chase_id returning f.id),
       e as (insert into floor_events (chase_id, kind) select id, 'dialing' from m)
  select phone from c`;

/** A failed Calls request: the attempt failed, the chase is due again (the job's retry dials anew). */
const STEP_FAILED = `
  with a as (update floor_attempts set status = 'failed', ended_at = now() where id = $1 returning chase_id)
  update floor_chases f set status = 'due', updated_at = now() from a where f.id = a.chase_id`;

/**
 * A status report: the attempt only moves forward (a late ringing after the end changes
 * nothing), links the call's sid, adds the event, and a final status completes the chase.
 */
const RANK = `case %s when 'dialing' then 0 when 'queued' then 1 when 'initiated' then 1 when 'ringing' then 2 when 'in-progress' then 3 else 4 end`;
const STATUS = `
  with a as (
         update floor_attempts set status = $2, call_sid = coalesce(call_sid, $3), ended_at = case when $4 then now() end
          where id = $1 and ${RANK.replace('%s', 'status')} < ${RANK.replace('%s', '$2::text')}
          returning chase_id),
       e as (insert into floor_events (chase_id, kind) select chase_id, $2 from a)
  update floor_chases f set status = 'completed', updated_at = now() from a where f.id = a.chase_id and $4`;

/** Who answered: once per attempt. */
const AMD = `update floor_attempts set answered_by = $2 where id = $1 and answered_by is null`;

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const STATUSES = new Set(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CALL_SID = /^CA[0-9a-f]{32}$/;
const NAMESPACE = '0f6f2a4e-7c1d-4f0b-9a53-6d2f8e1b7c40';

interface StatusJob {
  attemptId: string;
  callSid: string;
  status: string;
}

/** The TwiML Chaseline answers for the bench campaign: the greeting in a <Gather>, three times, then goodbye. */
const SAY = '<Say voice="Google.en-US-Neural2-C" language="en-US">';
const GREETING = 'Hello , your cart is waiting.';
const gatherTwiml = (action: string, text: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech dtmf" action="${action}" method="POST" language="en-US" bargeIn="true" speechTimeout="auto" timeout="5" numDigits="1" actionOnEmptyResult="true">${SAY}${text}</Say></Gather></Response>`;
const GOODBYE = `<?xml version="1.0" encoding="UTF-8"?><Response>${SAY}Thank you, goodbye.</Say><Hangup/></Response>`;
const REPROMPTS = 2;

export interface Floor {
  /** Calls placed (the simulator answered the Calls request). */
  placed(): number;
  stop(): Promise<void>;
}

/** The floor's HTTP server and worker for one run, against `sim`. */
export async function startFloor(db: pg.Pool, boss: PgBoss, sim: Sim, concurrency: number, onError: (err: unknown) => void): Promise<Floor> {
  const client = twilioClient(sim.accountSid, sim.authToken, { apiBaseUrl: sim.url, timeoutMs: 15_000 });
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let placed = 0;

  const step = async ({ chaseId }: { chaseId: string }) => {
    const attemptId = randomUUID();
    const { rows } = await db.query<{ phone: string }>(STEP, [chaseId, attemptId]);
    if (!rows[0]) return;
    try {
      await client.calls.create({
        to: rows[0].phone,
        from: '+14155550100',
        url: `${base}/voice?attempt=${attemptId}`,
        statusCallback: `${base}/status?attempt=${attemptId}`,
        statusCallbackEvent: ['ringing', 'answered', 'completed'],
        statusCallbackMethod: 'POST',
        machineDetection: 'DetectMessageEnd',
        asyncAmd: 'true',
        asyncAmdStatusCallback: `${base}/amd?attempt=${attemptId}`,
        asyncAmdStatusCallbackMethod: 'POST',
        timeout: 30,
      });
      placed++;
    } catch (err) {
      await db.query(STEP_FAILED, [attemptId]);
      throw err;
    }
  };

  const applyStatus = async (job: StatusJob) => {
    await db.query(STATUS, [job.attemptId, job.status, job.callSid, FINAL.has(job.status)]);
  };

  /** Verify → parse → (one statement or none) → answer. */
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const signature = req.headers['x-twilio-signature'];
    if (req.method !== 'POST' || typeof signature !== 'string' || !twilio.validateRequest(sim.authToken, signature, base + req.url, params)) {
      res.writeHead(403).end();
      return;
    }
    const url = new URL(req.url ?? '/', base);
    const attemptId = url.searchParams.get('attempt') ?? '';
    const callSid = params.CallSid ?? '';
    if (!UUID.test(attemptId) || !CALL_SID.test(callSid)) {
      res.writeHead(400).end();
      return;
    }
    const twiml = (xml: string) => res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
    switch (url.pathname) {
      case '/status': {
        const status = params.CallStatus ?? '';
        if (!STATUSES.has(status)) break;
        // Deduplicated by the job's id, in the enqueue statement itself.
        const job: StatusJob = { attemptId, callSid, status };
        await boss.send(floorQueues.status, job, { id: uuidv5(`${callSid}:${status}`, NAMESPACE) });
        res.writeHead(204).end();
        return;
      }
      case '/amd':
        await db.query(AMD, [attemptId, (params.AnsweredBy ?? 'unknown').slice(0, 40)]);
        res.writeHead(204).end();
        return;
      case '/voice':
        twiml(gatherTwiml(`${base}/gather?attempt=${attemptId}&amp;r=0`, GREETING));
        return;
      case '/gather': {
        const r = Number(url.searchParams.get('r'));
        twiml(r < REPROMPTS ? gatherTwiml(`${base}/gather?attempt=${attemptId}&amp;r=${r + 1}`, `Sorry, I didn't catch that. ${GREETING}`) : GOODBYE);
        return;
      }
    }
    res.writeHead(400).end();
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const options = { batchSize: concurrency, idleMs: 100, onError };
  const runners = [runQueue(boss, floorQueues.step, step, options), runQueue(boss, floorQueues.status, applyStatus, options)];
  return {
    placed: () => placed,
    async stop() {
      await Promise.all(runners.map((r) => r.stop()));
      await sim.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What a run left behind, for the bench to check the floor did the whole job. */
export async function floorOutcome(db: pg.Pool, ids: string[]) {
  const { rows } = await db.query<{ completed: number; attempts: number; ended: number; answered: number; events: number }>(
    `select (select count(*)::int from floor_chases where id = any($1) and status = 'completed') as completed,
            (select count(*)::int from floor_attempts where chase_id = any($1)) as attempts,
            (select count(*)::int from floor_attempts where chase_id = any($1) and status = 'completed' and call_sid is not null) as ended,
            (select count(*)::int from floor_attempts where chase_id = any($1) and answered_by is not null) as answered,
            (select count(*)::int from floor_events where chase_id = any($1)) as events`,
    [ids],
  );
  return rows[0]!;
}
