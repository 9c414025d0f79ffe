-- The tenant's line pool (issue 4, item 8): Twilio numbers, BYOC trunks and SIP URIs a chase
-- may call from when its campaign names no inline lines. Health counts live in Redis (or
-- memory); the drain decision lives here so every process and GET /v1/lines agree on it.

create table lines (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  name text not null,
  kind text not null check (kind in ('number', 'byoc', 'sip')),
  -- The caller id: the business's own number, not a customer's, so plaintext.
  from_number text not null,
  -- Calls API `Byoc` parameter (BY + 32 hex), for kind byoc only.
  byoc_trunk_sid text check (byoc_trunk_sid ~ '^BY[0-9a-f]{32}$'),
  -- For kind sip: the call goes to sip:{E.164}@{sip_domain}.
  sip_domain text,
  tier text not null default 'standard' check (tier in ('premium', 'standard')),
  cost_per_minute numeric not null default 0 check (cost_per_minute >= 0),
  cps numeric not null default 1 check (cps > 0),
  region text,
  enabled boolean not null default true,
  -- Set when the failure rate over the health window passed the threshold; probes clear it.
  drained_at timestamptz,
  drain_reason text,
  -- The last probe call claimed on a drained line: one per probe interval.
  last_probe_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, name),
  check ((kind = 'byoc') = (byoc_trunk_sid is not null)),
  check ((kind = 'sip') = (sip_domain is not null))
);

-- Which pool line an attempt used; null for a campaign's inline lines. No foreign key: a line
-- may be deleted while its attempts stay for reports.
alter table attempts add column line_id uuid;
