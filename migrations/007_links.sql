-- Tracked links in chase SMS (issue 4): each URL in a text becomes /l/{code}, and every
-- click is counted on the chase.

-- The code is the whole key: /l/{code} carries no tenant, so codes are unique across tenants.
-- Targets can carry tokens or emails (a recovery link), so they are stored encrypted.
create table links (
  code text primary key,
  tenant_id uuid not null,
  chase_id uuid not null,
  attempt_id uuid,
  target_enc text not null,
  created_at timestamptz not null default now()
);
create index links_by_chase on links (tenant_id, chase_id);

-- No IP address: it identifies the person and the counts do not need it.
create table link_clicks (
  tenant_id uuid not null,
  id bigint generated always as identity,
  code text not null,
  clicked_at timestamptz not null default now(),
  user_agent text,
  primary key (tenant_id, id)
);
create index link_clicks_by_code on link_clicks (tenant_id, code);

-- One SMS per chase: at most one SMS attempt that was, or may have been, sent. A not-placed
-- attempt (the carrier refused it) never went out, so a retry may follow it.
create unique index attempts_one_sms_per_chase on attempts (tenant_id, chase_id)
  where channel = 'sms' and status <> 'not-placed';
