-- Outbound events (issue 11): what happened, recorded once in the transaction that made it
-- happen, for the developers' event subscriptions to be delivered from. Ids only, never PII.
create table events (
  tenant_id uuid not null,
  id uuid not null,
  type text not null,
  data jsonb not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index events_by_time on events (tenant_id, created_at, id);

-- What counts as a conversion for a campaign (core/campaigns.rules.ts); null: its trigger's default.
alter table campaigns add column goal text check (goal in ('interested', 'link-clicked', 'order'));

-- Complaints (core/reports/complaints.ts): at most one per chase, whatever drew it — a complaint
-- heard on one of its calls, or its number opting out within 48 h of one of its attempts.
create table chase_complaints (
  tenant_id uuid not null,
  chase_id uuid not null,
  at timestamptz not null,
  source text not null check (source in ('intent', 'opt-out')),
  primary key (tenant_id, chase_id)
);
