-- The best-hours optimiser (issue 11; core/optimiser/). A campaign may ask that its chases be
-- scheduled into the recipient's local hour that connects or converts best.
-- {optimise?: 'conversion' | 'connect'}; null: scheduled as usual.
alter table campaigns add column schedule jsonb;

-- Per campaign × segment tier ('' for none) × recipient local hour: call attempts placed,
-- answered by a person, and conversions credited to that hour. Kept up to date in the
-- transaction where each outcome is learnt, so the optimiser never scans attempts.
create table optimiser_stats (
  tenant_id uuid not null,
  campaign_id uuid not null,
  tier text not null,
  hour smallint not null check (hour between 0 and 23),
  trials int not null default 0,
  connects int not null default 0,
  conversions int not null default 0,
  primary key (tenant_id, campaign_id, tier, hour)
);

-- Which call attempts the stats already count: an outcome learnt twice is counted once.
create table optimiser_attempts (
  tenant_id uuid not null,
  attempt_id uuid not null,
  primary key (tenant_id, attempt_id)
);

-- A chase converts at most once; the bucket credited is that of its last call before the conversion.
create table optimiser_conversions (
  tenant_id uuid not null,
  chase_id uuid not null,
  attempt_id uuid not null,
  tier text not null,
  hour smallint not null,
  at timestamptz not null,
  primary key (tenant_id, chase_id)
);
