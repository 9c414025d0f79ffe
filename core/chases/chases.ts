/**
 * Starting, reading and cancelling chases. A chase is refused up front, with its reason, when
 * its number is invalid or opted out of every channel the campaign would use; the worker
 * checks consent, caps and the window again at the last moment (chases.step.ts).
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { AppError, notFound, validation } from '../errors.ts';
import { withTransaction } from '../db/pool.ts';
import { decodeCursor, toPage, type Page } from '../common/pagination.ts';
import { campaignSegment, getCampaign, type Campaign } from '../campaigns/campaigns.ts';
import { chasePriority, matchScript } from '../campaigns/rules.ts';
import { pausedScripts } from '../scripts/flags.ts';
import { upsertContact } from '../contacts/contacts.ts';
import { tenantPhone } from '../tenants/tenants.ts';
import type { RawPhone } from '../phone/phone.ts';
import {
  CHASE_COLUMNS,
  DETAIL_COLUMNS,
  LIVE,
  toAttempts,
  toChase,
  toTimeline,
  type Attempt,
  type Chase,
  type ChaseEvent,
  type ChaseRow,
  type ChaseStatus,
  type DetailJson,
} from './store.ts';
import { chaseEngine } from '../deps.ts';
import type { Deps } from '../deps.ts';
import { endChases, enqueueNewChases } from './transitions.ts';
import { drawArms, runningExperiment } from '../experiments/assign.ts';
import { optimisedStarts, type OptimisedDue } from '../optimiser/starts.ts';

/**
 * Who to chase: a contact's id, a number, or a CRM record. A CRM record Chaseline has not
 * synced yet can come with the record's own details (a plugin starting a chase from the page
 * it shows): then it becomes a contact linked with that record, as a sync would have made it.
 */
export type ContactRef =
  { id: string } | { phone: RawPhone | string } | { crm: { system: string; externalId: string }; phone?: RawPhone | string; name?: string; email?: string };

export interface StartChase {
  campaignId: string;
  contact: ContactRef;
  context?: Record<string, unknown>;
}

/** For chases started by an event (a store's abandoned checkout): when it is due, and the event's key. */
export interface StartOptions {
  dueAt?: Date;
  /** When the event happened: an experiment arm's delay counts from it (default: now). */
  since?: Date;
  sourceKey?: string;
}

/** The channels a policy uses, in order. */
export const policyChannels = (c: Pick<Campaign, 'channel'>): ('voice' | 'sms')[] =>
  c.channel.policy === 'voice-then-sms' ? ['voice', 'sms'] : c.channel.policy === 'voice' ? ['voice'] : ['sms'];

async function resolveContact(deps: Deps, tenantId: string, ref: ContactRef): Promise<string> {
  if ('id' in ref) return ref.id;
  if ('crm' in ref) {
    const { rows } = await deps.db.query<{ contact_id: string }>(
      `select contact_id from contact_crm_refs where tenant_id = $1 and system = $2 and external_id = $3`,
      [tenantId, ref.crm.system, ref.crm.externalId],
    );
    if (rows[0]) return rows[0].contact_id;
    if (!ref.phone) throw notFound('contact with that CRM reference (send its phone to create it)', 'contact.crm');
    const { name, email } = ref;
    const phone = await tenantPhone(deps, tenantId, ref.phone, 'contact.phone');
    return (await upsertContact(deps, tenantId, { phone, ...(name ? { name } : {}), ...(email ? { email } : {}), crm: ref.crm }, 'api')).contact.id;
  }
  const e164 = await tenantPhone(deps, tenantId, ref.phone, 'contact.phone');
  const { rows } = await deps.db.query<{ id: string }>(`select id from contacts where tenant_id = $1 and phone_hash = $2`, [
    tenantId,
    deps.pii.phoneIndex(e164),
  ]);
  if (rows[0]) return rows[0].id;
  // A number we have not seen becomes a contact, as if it had been created through the API.
  return (await upsertContact(deps, tenantId, { phone: e164 }, 'api')).contact.id;
}

interface Candidate {
  contactId: string;
  phoneHash: Buffer;
  tags: string[];
  tier: string | null;
  optedOut: { voice: boolean; sms: boolean };
}

/** The first channel the chase may use, or null when the number opted out of all of them. */
const firstChannel = (campaign: Campaign, optedOut: Candidate['optedOut']) => policyChannels(campaign).find((ch) => !optedOut[ch]) ?? null;

/** Inserts chases for candidates that have no live chase in the campaign; returns the new rows. */
async function insertChases(
  tx: Pick<pg.PoolClient, 'query'>,
  deps: Deps,
  tenantId: string,
  campaign: Campaign,
  candidates: Candidate[],
  contextEnc: string | null,
  paused: ReadonlySet<string>,
  options: StartOptions = {},
) {
  const { clock } = chaseEngine(deps);
  const now = clock.now();
  const deadline = new Date(now.getTime() + campaign.rules.expireAfterHours * 3_600_000);
  const ok = candidates.map((c) => ({ c, channel: firstChannel(campaign, c.optedOut)! }));
  // While an experiment runs on the campaign, each chase draws an arm whose script and delay
  // stand in for the campaign's (its window is read where the chase steps).
  const experiment = ok.length ? await runningExperiment(tx, tenantId, campaign.id) : null;
  const arms = experiment ? drawArms(experiment, ok.length, deps.random) : [];
  // An event's chase is due when the event says (never in the past); others after the campaign's
  // delay. An arm's delay counts from the event (or now) instead.
  const dueFor = (i: number) => {
    const armDelay = arms[i]?.delayMinutes;
    if (armDelay !== undefined) return new Date(Math.max((options.since ?? now).getTime() + armDelay * 60_000, now.getTime()));
    return options.dueAt ? new Date(Math.max(options.dueAt.getTime(), now.getTime())) : new Date(now.getTime() + campaign.rules.delayMinutes * 60_000);
  };
  const dues = ok.map((_, i) => dueFor(i));
  // A campaign that optimises its call hour gives each chase a due time in a sampled hour
  // bucket (core/optimiser/), from its own earliest time; those with no such hour before the
  // deadline keep their due time.
  const planned = new Map<string, OptimisedDue>();
  if (campaign.schedule?.optimise && campaign.channel.policy !== 'sms') {
    const byEarliest = new Map<number, number[]>();
    dues.forEach((d, i) => (byEarliest.get(d.getTime()) ?? byEarliest.set(d.getTime(), []).get(d.getTime())!).push(i));
    for (const [earliest, group] of byEarliest) {
      const chases = group.map((i) => ({ contactId: ok[i]!.c.contactId, tier: ok[i]!.c.tier }));
      for (const [contactId, due] of await optimisedStarts(tx, deps, tenantId, campaign, chases, new Date(earliest), deadline)) planned.set(contactId, due);
    }
  }
  // The chases, their first two timeline events (created, scheduled) and those events read
  // back, in one statement: starting one chase needs no read after it.
  const { rows } = await tx.query<ChaseRow & { timeline: { at: string; type: ChaseEvent['type']; detail: Record<string, unknown> | null }[] }>(
    `with input as (
       select * from unnest($6::uuid[], $7::uuid[], $8::bytea[], $9::text[], $10::int[], $11::text[], $12::text[], $4::timestamptz[], $14::jsonb[], $16::text[])
         as t (id, contact_id, phone_hash, tier, priority, script, channel, due, plan, arm)),
     chase as (
       insert into chases (tenant_id, id, campaign_id, contact_id, phone_hash, status, tier, priority, script, context_enc, next_channel, due_at, deadline_at, source_key, experiment_id, arm)
       select $1, id, $2, contact_id, phone_hash, 'scheduled', tier, priority, script, $3, channel, due, $5, $13, $15, arm from input
       on conflict (tenant_id, campaign_id, contact_id) where status in ('scheduled', 'dialing') do nothing
       returning ${CHASE_COLUMNS}),
     event as (
       insert into chase_events (tenant_id, chase_id, type, detail)
       select $1, chase.id, e.type,
              case when e.type = 'scheduled' then jsonb_build_object('at', chase.due_at) || coalesce(input.plan, '{}'::jsonb)
                   when chase.experiment_id is not null then jsonb_build_object('experimentId', chase.experiment_id, 'experiment', $17::text, 'arm', chase.arm)
                   else null end
         from chase join input on input.id = chase.id cross join (values (1, 'created'), (2, 'scheduled')) as e (n, type) order by chase.id, e.n
       returning chase_id, seq, at, type, detail)
     select chase.*, t.timeline
       from chase
       join (select chase_id, json_agg(json_build_object('at', at, 'type', type, 'detail', detail) order by seq) as timeline from event group by chase_id) t
         on t.chase_id = chase.id`,
    [
      tenantId,
      campaign.id,
      contextEnc,
      ok.map((o, i) => planned.get(o.c.contactId)?.at ?? dues[i]),
      deadline,
      ok.map(() => randomUUID()),
      ok.map((o) => o.c.contactId),
      ok.map((o) => o.c.phoneHash),
      ok.map((o) => o.c.tier),
      ok.map((o) => chasePriority(campaign.rules, o.c.tier)),
      ok.map((o, i) => arms[i]?.script ?? matchScript(campaign.scripts, o.c.tags, o.c.tier, paused)!.name),
      ok.map((o) => o.channel),
      options.sourceKey ?? null,
      ok.map((o) => planned.get(o.c.contactId)?.detail ?? null),
      experiment?.id ?? null,
      ok.map((_, i) => arms[i]?.name ?? null),
      experiment?.name ?? null,
    ],
  );
  if (rows.length) await enqueueNewChases(tx, chaseEngine(deps).jobs, tenantId, rows);
  return rows.map(({ timeline, ...row }) => ({
    row,
    timeline: timeline.map((e): ChaseEvent => ({ at: new Date(e.at).toISOString(), type: e.type, attemptId: null, detail: e.detail })),
  }));
}

export const CANDIDATE_SELECT = `
  select c.id as contact_id, c.phone_hash, c.phone_invalid_reason, c.tags, m.tier,
         exists (select 1 from consent_events e where e.tenant_id = c.tenant_id and e.phone_hash = c.phone_hash and e.channel in ('voice', 'all')) as voice_out,
         exists (select 1 from consent_events e where e.tenant_id = c.tenant_id and e.phone_hash = c.phone_hash and e.channel in ('sms', 'all')) as sms_out
    from contacts c`;

export interface CandidateRow {
  contact_id: string;
  phone_hash: Buffer | null;
  phone_invalid_reason: string | null;
  tags: string[];
  tier: string | null;
  voice_out: boolean;
  sms_out: boolean;
}

const toCandidate = (r: CandidateRow): Candidate => ({
  contactId: r.contact_id,
  phoneHash: r.phone_hash!,
  tags: r.tags,
  tier: r.tier,
  optedOut: { voice: r.voice_out, sms: r.sms_out },
});

export async function startChase(deps: Deps, tenantId: string, input: StartChase, options: StartOptions = {}): Promise<ChaseDetail> {
  const campaign = await getCampaign(deps.db, tenantId, input.campaignId, 'campaignId');
  if (campaign.status === 'canceled') throw new AppError('CONFLICT', 'the campaign is canceled', { field: 'campaignId' });
  const contactId = await resolveContact(deps, tenantId, input.contact);
  const segmentId = campaignSegment(campaign);
  const { rows } = await deps.db.query<CandidateRow>(
    `${CANDIDATE_SELECT} left join segment_members m on m.tenant_id = c.tenant_id and m.segment_id = $3 and m.contact_id = c.id
      where c.tenant_id = $1 and c.id = $2`,
    [tenantId, contactId, segmentId],
  );
  const row = rows[0];
  if (!row) throw notFound('contact', 'contact.id');
  if (row.phone_invalid_reason || !row.phone_hash) {
    throw validation(`the contact's number cannot be dialled: ${row.phone_invalid_reason ?? 'missing'}`, 'contact');
  }
  const candidate = toCandidate(row);
  if (!firstChannel(campaign, candidate.optedOut)) {
    throw new AppError('CONFLICT', `the number opted out of ${policyChannels(campaign).join(' and ')}`, { field: 'contact', details: { reason: 'opted-out' } });
  }
  const paused = await pausedScripts(deps.db, tenantId, campaign);
  if (!matchScript(campaign.scripts, candidate.tags, candidate.tier, paused)) {
    throw new AppError(
      'CONFLICT',
      'every script that matches this contact is paused for complaints: clear its flag (POST /v1/scripts/clear-flag) or add a script',
      {
        field: 'contact',
        details: { reason: 'script-paused' },
      },
    );
  }
  const contextEnc = input.context && Object.keys(input.context).length ? deps.pii.encrypt(JSON.stringify(input.context)) : null;
  const created = await withTransaction(deps.db, (tx) => insertChases(tx, deps, tenantId, campaign, [candidate], contextEnc, paused, options));
  if (!created[0]) {
    const { rows: live } = await deps.db.query<{ id: string }>(
      `select id from chases where tenant_id = $1 and campaign_id = $2 and contact_id = $3 and status = any($4)`,
      [tenantId, campaign.id, contactId, LIVE],
    );
    throw new AppError('CONFLICT', 'the contact already has a live chase in this campaign', { field: 'contact', details: { chaseId: live[0]?.id } });
  }
  return { ...toChase(deps, created[0].row), timeline: created[0].timeline, attempts: [] };
}

export interface BulkResult {
  created: number;
  skipped: { alreadyLive: number; optedOut: number; invalidNumber: number; scriptPaused: number };
}

/** Starts the campaign for every member of a segment (optionally some tiers), skipping with counts. */
export async function startChasesForSegment(
  deps: Deps,
  tenantId: string,
  input: { campaignId: string; segmentId?: string; tiers?: string[] },
): Promise<BulkResult> {
  const campaign = await getCampaign(deps.db, tenantId, input.campaignId, 'campaignId');
  if (campaign.status === 'canceled') throw new AppError('CONFLICT', 'the campaign is canceled', { field: 'campaignId' });
  const segmentId = input.segmentId ?? campaignSegment(campaign);
  if (!segmentId) throw validation('segmentId is required: the campaign has no segment of its own', 'segmentId');
  const { rowCount } = await deps.db.query(`select 1 from segments where tenant_id = $1 and id = $2`, [tenantId, segmentId]);
  if (!rowCount) throw notFound('segment', 'segmentId');
  const { rows } = await deps.db.query<CandidateRow>(
    `${CANDIDATE_SELECT} join segment_members m on m.tenant_id = c.tenant_id and m.contact_id = c.id
      where m.tenant_id = $1 and m.segment_id = $2 and ($3::text[] is null or m.tier = any($3))`,
    [tenantId, segmentId, input.tiers ?? null],
  );
  return startCandidates(deps, tenantId, campaign, rows);
}

/** Splits rows into invalid / opted-out / candidates and inserts the candidates in chunks. */
export async function startCandidates(deps: Deps, tenantId: string, campaign: Campaign, rows: CandidateRow[]): Promise<BulkResult> {
  const result: BulkResult = { created: 0, skipped: { alreadyLive: 0, optedOut: 0, invalidNumber: 0, scriptPaused: 0 } };
  const candidates: Candidate[] = [];
  const paused = await pausedScripts(deps.db, tenantId, campaign);
  for (const r of rows) {
    if (r.phone_invalid_reason || !r.phone_hash) result.skipped.invalidNumber++;
    else if (!firstChannel(campaign, { voice: r.voice_out, sms: r.sms_out })) result.skipped.optedOut++;
    else if (!matchScript(campaign.scripts, r.tags, r.tier, paused)) result.skipped.scriptPaused++;
    else candidates.push(toCandidate(r));
  }
  for (let i = 0; i < candidates.length; i += 2000) {
    const chunk = candidates.slice(i, i + 2000);
    const created = await withTransaction(deps.db, (tx) => insertChases(tx, deps, tenantId, campaign, chunk, null, paused));
    result.created += created.length;
    result.skipped.alreadyLive += chunk.length - created.length;
  }
  return result;
}

export interface ChaseDetail extends Chase {
  timeline: ChaseEvent[];
  attempts: Attempt[];
}

export async function getChase(deps: Deps, tenantId: string, id: string): Promise<ChaseDetail> {
  const { rows } = await deps.db.query<ChaseRow & DetailJson>(`select ${CHASE_COLUMNS}, ${DETAIL_COLUMNS} from chases ch where tenant_id = $1 and id = $2`, [
    tenantId,
    id,
  ]);
  const row = rows[0];
  if (!row) throw notFound('chase', 'id');
  return { ...toChase(deps, row), timeline: toTimeline(row.timeline), attempts: toAttempts(row.attempts) };
}

export async function listChases(
  deps: Deps,
  tenantId: string,
  options: { cursor?: string; limit: number; campaignId?: string; status?: ChaseStatus; contactId?: string },
): Promise<Page<Chase>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const { rows } = await deps.db.query<ChaseRow>(
    `select ${CHASE_COLUMNS} from chases
      where tenant_id = $1 and ($2::uuid is null or id > $2) and ($3::uuid is null or campaign_id = $3)
        and ($4::text is null or status = $4) and ($5::uuid is null or contact_id = $5)
      order by id limit $6`,
    [tenantId, after, options.campaignId ?? null, options.status ?? null, options.contactId ?? null, options.limit + 1],
  );
  return toPage(rows, options.limit, (r) => toChase(deps, r));
}

/** Cancels a live chase; a call already on the line is left to finish. Cancelling an ended chase is a conflict. */
export async function cancelChase(deps: Deps, tenantId: string, id: string): Promise<ChaseDetail> {
  await withTransaction(deps.db, async (tx) => {
    const { rows } = await tx.query<{ status: ChaseStatus }>(`select status from chases where tenant_id = $1 and id = $2 for update`, [tenantId, id]);
    if (!rows[0]) throw notFound('chase', 'id');
    if (rows[0].status === 'canceled') return;
    if (!(LIVE as readonly string[]).includes(rows[0].status)) {
      throw new AppError('CONFLICT', `the chase already ended (${rows[0].status})`, { field: 'id' });
    }
    await endChases(tx, tenantId, { chaseIds: [id] }, 'canceled', { reason: 'canceled through the API' });
  });
  return getChase(deps, tenantId, id);
}
