-- Event subscriptions (issue 11): a tenant's endpoints for outbound events, each with the
-- types it wants and its Standard Webhooks signing secret (encrypted, shown once).
create table event_subscriptions (
  tenant_id uuid not null,
  id uuid not null,
  url text not null,
  types text[] not null,
  description text,
  enabled boolean not null default true,
  secret_enc text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- One row per event and subscription: sent by the event-delivery job with backoff, dead once
-- its attempts are spent; kept as the delivery log (replay puts a row back to pending).
create table event_deliveries (
  tenant_id uuid not null,
  id bigint generated always as identity,
  subscription_id uuid not null,
  event_id uuid not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'dead')),
  attempts int not null default 0,
  next_at timestamptz not null default now(),
  last_status int,
  last_error text,
  created_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  delivered_at timestamptz,
  primary key (tenant_id, id)
);
create unique index event_deliveries_once on event_deliveries (tenant_id, subscription_id, event_id);
create index event_deliveries_due on event_deliveries (tenant_id, subscription_id, next_at) where status = 'pending';
create index event_deliveries_log on event_deliveries (tenant_id, subscription_id, id);

-- Events wait here until the dispatcher has fanned them out to subscriptions (and the CRMs).
alter table events add column dispatched_at timestamptz;
create index events_undispatched on events (created_at) where dispatched_at is null;
-- A chase ends once: at most one chase.* event per chase, however often an end is written.
create unique index events_one_chase_end on events (tenant_id, (data ->> 'chaseId'))
  where type in ('chase.completed', 'chase.opted_out', 'chase.failed');
