/**
 * Delivering events to subscriptions. The dispatcher fans each new event out into one
 * delivery row per matching enabled subscription (and hands chase results to the CRMs, see
 * results.ts), then the `event-delivery` job POSTs them, signed per Standard Webhooks
 * (`webhook-id` = the event id, the same on every retry; `webhook-timestamp`;
 * `webhook-signature` v1 HMAC-SHA256) with body `{type, timestamp, data}`. Like the CRM
 * outbox (core/outbox/outbox.ts): rows are claimed with a lease, a failed send is retried with
 * doubling backoff, and a row out of attempts is dead — listed in the delivery log until
 * replayed. Every request has a timeout; redirects are not followed (a 3xx is a failure).
 */
import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Deps } from '../deps.ts';
import { loggable } from '../errors.ts';
import { queues, type JobQueue } from '../jobs/queue.ts';
import { operatorAllowed } from '../common/hosts.ts';
import { retryDelayMs, type OutboxRetry } from '../outbox/outbox.ts';
import { eventUrlRefusal, publicOnlyLookup } from './urls.ts';
import { enqueueChaseResults } from './results.ts';

export interface EventDeliveryJob {
  tenantId: string;
  subscriptionId: string;
}

/** The same schedule as the outbox's: baseMs doubling to maxMs, dead after `attempts` sends. */
export type EventRetry = OutboxRetry;

/** 5 s doubling to an hour, 16 tries: about 7 hours of trying before a delivery is dead. */
export const DEFAULT_EVENT_RETRY: EventRetry = { baseMs: 5_000, maxMs: 3_600_000, attempts: 16 };

/** Each request's limit, connection to last byte (the receiver should answer first and work later). */
export const DELIVERY_TIMEOUT_MS = 10_000;
const LEASE_MS = 2 * 60_000;
const CLAIM = 50;
const DISPATCH_BATCH = 500;

type DeliverDeps = Deps & {
  jobs: JobQueue;
  eventRetry?: EventRetry;
  deliveryTimeoutMs?: number;
  log?: { warn(o: object, msg: string): void };
};

const wake = (deps: { jobs: JobQueue }, db: Parameters<JobQueue['send']>[0], job: EventDeliveryJob, startAfter?: Date) =>
  deps.jobs.send(
    db,
    queues.eventDelivery,
    job,
    startAfter ? { startAfter } : { singletonKey: `${job.tenantId}:${job.subscriptionId}`, singletonSeconds: 1, singletonNextSlot: true },
  );

/**
 * Fans out events not yet dispatched (any tenant), a batch per transaction, until none is
 * left. Several workers may run it at once: rows are claimed with skip locked. @returns how many
 */
export async function dispatchEvents(deps: Deps & { jobs: JobQueue }): Promise<number> {
  // Most polls find nothing: one read of the partial index says so without a connection and a transaction.
  const { rows: waiting } = await deps.db.query<{ any: boolean }>(`select exists (select 1 from events where dispatched_at is null) as any`);
  if (!waiting[0]?.any) return 0;
  let total = 0;
  for (;;) {
    const client = await deps.db.connect();
    let n = 0;
    try {
      await client.query('begin');
      const { rows: events } = await client.query<{ tenant_id: string; id: string; type: string; data: Record<string, unknown> }>(
        `select tenant_id, id, type, data from events where dispatched_at is null order by created_at limit $1 for update skip locked`,
        [DISPATCH_BATCH],
      );
      n = events.length;
      if (n) {
        const { rows: targets } = await client.query<{ tenant_id: string; subscription_id: string }>(
          `insert into event_deliveries (tenant_id, subscription_id, event_id)
           select e.tenant_id, s.id, e.id
             from unnest($1::uuid[], $2::uuid[], $3::text[]) as e (tenant_id, id, type)
             join event_subscriptions s on s.tenant_id = e.tenant_id and s.enabled and e.type = any(s.types)
           on conflict do nothing
           returning tenant_id, subscription_id`,
          [events.map((e) => e.tenant_id), events.map((e) => e.id), events.map((e) => e.type)],
        );
        await enqueueChaseResults(client, deps, events);
        await client.query(`update events set dispatched_at = now() where (tenant_id, id) in (select * from unnest($1::uuid[], $2::uuid[]))`, [
          events.map((e) => e.tenant_id),
          events.map((e) => e.id),
        ]);
        const subs = new Map(targets.map((t) => [`${t.tenant_id}:${t.subscription_id}`, { tenantId: t.tenant_id, subscriptionId: t.subscription_id }]));
        for (const job of subs.values()) await wake(deps, client, job);
      }
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    total += n;
    if (n < DISPATCH_BATCH) return total;
  }
}

interface Claimed {
  id: string;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  event_at: Date;
  attempts: number;
}

export interface DeliveryCounts {
  delivered: number;
  dead: number;
  retrying: number;
}

/** The outcome of one POST: 2xx is delivered, anything else (or no answer) failed. */
interface Sent {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** Sends a subscription's due deliveries, oldest first, until none is left or the receiver fails. */
export async function sendDeliveries(deps: DeliverDeps, job: EventDeliveryJob): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { delivered: 0, dead: 0, retrying: 0 };
  const { rows: subs } = await deps.db.query<{ url: string; secret_enc: string; enabled: boolean }>(
    `select url, secret_enc, enabled from event_subscriptions where tenant_id = $1 and id = $2`,
    [job.tenantId, job.subscriptionId],
  );
  const sub = subs[0];
  // Deleted: its log went with it. Disabled: the rows wait, and are sent when it is enabled again.
  if (!sub?.enabled) return counts;
  const webhook = new Webhook(deps.pii.decrypt(sub.secret_enc));
  const retry = deps.eventRetry ?? DEFAULT_EVENT_RETRY;
  // Checked again at each run: the operator may have narrowed the allowed hosts since it was saved.
  const refusal = eventUrlRefusal(sub.url, deps.allowedEventHosts);
  for (;;) {
    const claimed = await claim(deps, job);
    if (!claimed.length) return counts;
    for (const [i, row] of claimed.entries()) {
      const sent = refusal ? { ok: false, status: null, error: `not sent: the url ${refusal}` } : await post(deps, sub.url, webhook, row);
      if (sent.ok) {
        await deps.db.query(
          `update event_deliveries set status = 'delivered', last_status = $3, last_error = null, last_attempt_at = now(), delivered_at = now()
            where tenant_id = $1 and id = $2`,
          [job.tenantId, row.id, sent.status],
        );
        counts.delivered++;
        continue;
      }
      const dead = row.attempts >= retry.attempts;
      const delay = retryDelayMs(retry, row.attempts);
      await deps.db.query(
        `update event_deliveries set status = $3, last_status = $4, last_error = $5, last_attempt_at = now(), next_at = now() + $6 * interval '1 millisecond'
          where tenant_id = $1 and id = $2`,
        [job.tenantId, row.id, dead ? 'dead' : 'pending', sent.status, sent.error?.slice(0, 500) ?? null, delay],
      );
      deps.log?.warn(
        { tenantId: job.tenantId, subscriptionId: job.subscriptionId, deliveryId: row.id, status: sent.status, attempts: row.attempts, dead },
        'event delivery failed',
      );
      // The receiver is failing: what was claimed after this row waits for the same retry, its attempt not counted.
      const rest = claimed.slice(i + 1).map((r) => r.id);
      if (rest.length) {
        await deps.db.query(
          `update event_deliveries set attempts = attempts - 1, next_at = now() + $3 * interval '1 millisecond' where tenant_id = $1 and id = any($2::bigint[])`,
          [job.tenantId, rest, delay],
        );
      }
      if (dead) counts.dead++;
      else counts.retrying++;
      counts.retrying += rest.length;
      await wake(deps, deps.db, job, new Date(Date.now() + (dead && !rest.length ? 0 : delay)));
      return counts;
    }
  }
}

async function claim(deps: Deps, job: EventDeliveryJob): Promise<Claimed[]> {
  const { rows } = await deps.db.query<Claimed>(
    `with due as (
       select tenant_id, id from event_deliveries
        where tenant_id = $1 and subscription_id = $2 and status = 'pending' and next_at <= now()
        order by id limit $4 for update skip locked)
     update event_deliveries d set next_at = now() + $3 * interval '1 millisecond', attempts = d.attempts + 1
       from due, events e
      where d.tenant_id = due.tenant_id and d.id = due.id and e.tenant_id = d.tenant_id and e.id = d.event_id
      returning d.id::text as id, d.event_id, e.type, e.data, e.created_at as event_at, d.attempts`,
    [job.tenantId, job.subscriptionId, LEASE_MS, CLAIM],
  );
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

/** The body every subscriber receives: the Standard Webhooks shape. */
export const deliveryBody = (row: Pick<Claimed, 'type' | 'data' | 'event_at'>) =>
  JSON.stringify({ type: row.type, timestamp: row.event_at.toISOString(), data: row.data });

function post(deps: DeliverDeps, target: string, webhook: Webhook, row: Claimed): Promise<Sent> {
  const body = deliveryBody(row);
  const now = new Date();
  const url = new URL(target);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'Chaseline-Webhooks/1',
    'webhook-id': row.event_id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': webhook.sign(row.event_id, now, body),
  };
  const timeout = deps.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<Sent>((resolve) => {
    const req = transport.request(
      url,
      {
        method: 'POST',
        headers,
        timeout,
        // A host the operator allowed may be internal; any other must resolve to public addresses only.
        ...(operatorAllowed(url, deps.allowedEventHosts ?? []) ? {} : { lookup: publicOnlyLookup }),
        signal: AbortSignal.timeout(timeout),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The answer's body is not needed, only drained (and not for long).
        res.resume();
        res.on('end', () =>
          resolve(
            status >= 200 && status < 300
              ? { ok: true, status, error: null }
              : { ok: false, status, error: `the receiver answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}` },
          ),
        );
        res.on('error', (err) => resolve({ ok: false, status, error: loggable(err).message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', (err) => resolve({ ok: false, status: null, error: loggable(err).message }));
    req.end(body);
  });
}
