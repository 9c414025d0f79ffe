-- Segments: named rule tiers (or k-means clusters) over contacts' attributes and tags.
-- Members are recomputed by a refresh (one set-based statement), never edited one by one.

create table segments (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  name text not null,
  -- {kind: 'rules', tiers: [...]} or {kind: 'kmeans', attributes, k, seed?}; see core/segments.rules.ts
  definition jsonb not null,
  created_at timestamptz not null default now(),
  refreshed_at timestamptz,
  -- Members per tier at the last refresh: {"tier": n, …}.
  counts jsonb not null default '{}',
  primary key (tenant_id, id)
);

-- No foreign key to contacts, like the other high-volume tables: a refresh rewrites
-- members in bulk and a stale member only lives until the next refresh.
create table segment_members (
  tenant_id uuid not null,
  segment_id uuid not null,
  contact_id uuid not null,
  tier text not null,
  primary key (tenant_id, segment_id, contact_id),
  foreign key (tenant_id, segment_id) references segments (tenant_id, id) on delete cascade
);
create index segment_members_tier on segment_members (tenant_id, segment_id, tier);
