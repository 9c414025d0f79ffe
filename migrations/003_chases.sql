-- The chase engine: campaigns, chases (persisted state machines with a timeline) and
-- attempts (one row per call or SMS, committed before the carrier is asked).
-- pg-boss keeps its own schema (pgboss.*); a chase's job carries only ids.

-- Tenant-wide defaults for chase rules (calling window, frequency caps); a campaign's own
-- rules override them. See core/campaigns.rules.ts.
alter table tenants add column chase_rules jsonb not null default '{}';

create table campaigns (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  name text not null,
  status text not null default 'active' check (status in ('active', 'paused', 'canceled')),
  -- The segment whose tiers pick scripts, priorities and lines (defaults to the trigger's).
  segment_id uuid,
  -- {type:'manual'} | {type:'segment-entry', segmentId, tiers?}
  trigger jsonb not null,
  -- {policy:'voice-then-sms', smsAfterMinutes} | {policy:'voice'} | {policy:'sms'}
  channel jsonb not null,
  -- delay, window, caps, priority, attempts, expiry: core/campaigns.rules.ts
  rules jsonb not null,
  -- [{name, when?: {tags?, tiers?}, say, sms?}]: the first whose `when` matches
  scripts jsonb not null,
  -- [{from, minPriority}]: a chase uses the line with the highest minPriority ≤ its priority
  lines jsonb not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index campaigns_by_segment on campaigns (tenant_id, (trigger ->> 'segmentId')) where trigger ->> 'type' = 'segment-entry';

create table chases (
  tenant_id uuid not null,
  id uuid not null,
  campaign_id uuid not null,
  contact_id uuid not null,
  -- Blind index of the number, for caps and for cancelling on opt-out.
  phone_hash bytea not null,
  -- scheduled and dialing are live; the others are terminal.
  status text not null check (status in ('scheduled', 'dialing', 'completed', 'canceled', 'opted-out', 'expired', 'failed')),
  outcome text,
  tier text,
  priority int not null default 0,
  script text,
  -- What the caller passed (a recovery link, an order number…): may hold PII, so encrypted.
  context_enc text,
  next_channel text not null check (next_channel in ('voice', 'sms')),
  -- Bumped on every (re)schedule: a job that carries an older step is stale and does nothing.
  step int not null default 1,
  due_at timestamptz not null,
  deadline_at timestamptz not null,
  call_attempts int not null default 0,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, campaign_id) references campaigns (tenant_id, id)
);
-- One live chase per contact per campaign: a second start is a conflict, a bulk start skips it.
create unique index chases_one_live on chases (tenant_id, campaign_id, contact_id) where status in ('scheduled', 'dialing');
create index chases_by_campaign on chases (tenant_id, campaign_id, id);
create index chases_by_status on chases (tenant_id, status, id);
create index chases_live_by_phone on chases (tenant_id, phone_hash) where status in ('scheduled', 'dialing');

create table chase_events (
  tenant_id uuid not null,
  chase_id uuid not null,
  seq bigint generated always as identity,
  at timestamptz not null default clock_timestamp(),
  type text not null,
  attempt_id uuid,
  detail jsonb,
  primary key (tenant_id, chase_id, seq)
);

create table attempts (
  tenant_id uuid not null,
  id uuid not null,
  chase_id uuid not null,
  campaign_id uuid not null,
  phone_hash bytea not null,
  channel text not null check (channel in ('voice', 'sms')),
  -- dialing: committed, carrier not yet known to have the call. not-placed: the carrier
  -- refused it or never got it (does not count against caps).
  status text not null check (status in ('dialing', 'queued', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled', 'not-placed', 'sent', 'delivered', 'undelivered')),
  -- answered, machine, no-answer, busy, failed, canceled, refused, sms-sent…
  outcome text,
  from_number text not null,
  sid text,
  answered_by text,
  duration_seconds int,
  error text,
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  primary key (tenant_id, id)
);
-- At most one call in flight per phone, across campaigns and workers.
create unique index attempts_one_live_call on attempts (tenant_id, phone_hash)
  where channel = 'voice' and status in ('dialing', 'queued', 'ringing', 'in-progress');
create index attempts_by_phone on attempts (tenant_id, phone_hash, created_at);
create index attempts_by_chase on attempts (tenant_id, chase_id, created_at);
-- Callbacks carry only the attempt id; the reaper scans live attempts of every tenant.
create unique index attempts_id on attempts (id);
create unique index attempts_sid on attempts (sid) where sid is not null;
create index attempts_live on attempts (created_at) where status in ('dialing', 'queued', 'ringing', 'in-progress');

-- Segment-entry campaigns: who has already been started for being in the segment. A contact
-- that leaves the segment loses its row, so entering again starts a new chase.
create table campaign_entries (
  tenant_id uuid not null,
  campaign_id uuid not null,
  contact_id uuid not null,
  entered_at timestamptz not null default now(),
  primary key (tenant_id, campaign_id, contact_id),
  foreign key (tenant_id, campaign_id) references campaigns (tenant_id, id) on delete cascade
);

-- Inbound vendor webhooks already processed (Twilio: CallSid + status), for dedupe.
create table webhook_deliveries (
  vendor text not null,
  delivery_id text not null,
  received_at timestamptz not null default now(),
  primary key (vendor, delivery_id)
);
