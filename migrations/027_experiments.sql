-- Experiments (issue 11, core/experiments/): arms of a campaign — a script, a calling window, a
-- delay — each new chase of the campaign is assigned one at random while the experiment runs,
-- and an always-valid sequential test decides the winner.
create table experiments (
  tenant_id uuid not null,
  id uuid not null,
  campaign_id uuid not null,
  name text not null,
  status text not null default 'running' check (status in ('running', 'decided', 'stopped')),
  -- [{name, script?, window?, delayMinutes?, weight}]: arm 0 is the control.
  arms jsonb not null,
  alpha double precision not null,
  min_chases_per_arm int not null,
  -- {winner, decidedAt, evidence} once decided.
  verdict jsonb,
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, campaign_id) references campaigns (tenant_id, id)
);
-- One running experiment per campaign: a second is a conflict.
create unique index experiments_one_running on experiments (tenant_id, campaign_id) where status = 'running';
create index experiments_by_campaign on experiments (tenant_id, campaign_id, created_at);

-- The arm a chase was assigned (by name); null for chases outside any experiment.
alter table chases add column experiment_id uuid, add column arm text;
-- Per-arm results are computed on read from the experiment's chases.
create index chases_by_experiment on chases (tenant_id, experiment_id, arm) where experiment_id is not null;
