-- Script flags (issue 11): a campaign's script whose complaint rate is too high to be chance is
-- flagged once (core/scripts/flags.ts), and with the campaign's scriptFlags.autoPause it is taken
-- out of script matching until someone clears the flag.

-- A campaign's flag settings ({autoPause, minChases, maxComplaintRate}); null: the defaults.
alter table campaigns add column script_flags jsonb;

-- One row per (campaign, script) that drew a complaint: its complaints since `since` (the last time
-- its flag was cleared), counted as they are recorded, and the flag in force, if any (flagged_at).
-- The judgement at the moment of flagging (chases, rate, lower bound) is kept with it.
create table script_flags (
  tenant_id uuid not null,
  campaign_id uuid not null,
  script text not null,
  since timestamptz not null,
  complaints int not null,
  flagged_at timestamptz,
  reason text,
  chases int,
  rate double precision,
  rate_lower double precision,
  cleared_at timestamptz,
  cleared_by uuid,
  primary key (tenant_id, campaign_id, script)
);
create index script_flags_in_force on script_flags (tenant_id, campaign_id) where flagged_at is not null;

-- A script's chases, counted when one of them draws a complaint (an index-only count).
create index chases_by_script on chases (tenant_id, campaign_id, script, created_at);
