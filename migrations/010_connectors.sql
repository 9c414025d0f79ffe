-- Per-tenant connector configuration (issue 5): credentials encrypted at rest, and the state
-- of the connector's sync (its cursor, when it last ran, how it ended).
create table connectors (
  tenant_id uuid not null references tenants (id),
  type text not null,
  -- The account at the vendor (a Shopify shop's domain…): not a secret, and how an inbound
  -- webhook finds its tenant.
  account text,
  -- The credentials as JSON, encrypted like PII (AES-256-GCM with a key id): they are secrets.
  credentials_enc text not null,
  enabled boolean not null default true,
  cursor jsonb,
  sync_status text check (sync_status in ('queued', 'running', 'ok', 'failed')),
  last_sync_at timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, type)
);

create index connectors_by_account on connectors (type, account);
