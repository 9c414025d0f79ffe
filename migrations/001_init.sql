-- Foundation schema. Every table carries tenant_id first in its primary key and in every
-- index serving a tenant's queries, so tables can later be distributed by tenant (Citus).
-- PII (phone, name, email) is stored only encrypted (`*_enc`, AES-256-GCM with a key id)
-- plus a keyed blind index (`phone_hash`, HMAC-SHA256 of the E.164 number).

create table tenants (
  id uuid primary key,
  name text not null,
  default_region text not null,
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index tenants_one_default on tenants (is_default) where is_default;

create table api_keys (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  name text not null,
  role text not null check (role in ('admin', 'operator', 'viewer')),
  -- SHA-256 of the whole key: keys are 256-bit random, so a slow hash adds nothing.
  key_hash bytea not null,
  -- Only the bootstrap key may create tenants.
  can_manage_tenants boolean not null default false,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, id)
);
create unique index api_keys_hash on api_keys (key_hash);

-- The high-volume tables (contacts, consent_events) carry no foreign key to tenants: the
-- per-row check cost an eighth of bulk-import time, and tenants are never deleted.
create table contacts (
  tenant_id uuid not null,
  id uuid not null,
  phone_enc text,
  phone_hash bytea,
  phone_type text,
  phone_country text,
  -- Set when the number could not be normalised (kept for CRM-synced contacts so they
  -- still map to their CRM record); such a contact is never dialled.
  phone_invalid_reason text,
  name_enc text,
  email_enc text,
  tags text[] not null default '{}',
  attributes jsonb not null default '{}',
  time_zone text,
  country text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index contacts_phone on contacts (tenant_id, phone_hash);

create table contact_crm_refs (
  tenant_id uuid not null,
  system text not null,
  external_id text not null,
  contact_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, system, external_id),
  foreign key (tenant_id, contact_id) references contacts (tenant_id, id) on delete cascade
);
create index contact_crm_refs_contact on contact_crm_refs (tenant_id, contact_id);

-- Append-only consent ledger. The current state is derived from it; an opt-out is sticky.
create table consent_events (
  tenant_id uuid not null,
  id bigint generated always as identity,
  phone_hash bytea not null,
  phone_enc text not null,
  channel text not null check (channel in ('voice', 'sms', 'all')),
  action text not null check (action in ('opt_out')),
  source text not null check (source in ('api', 'import', 'crm', 'sms-stop', 'voice-intent')),
  note text,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index consent_events_phone on consent_events (tenant_id, phone_hash, channel);

-- Appends only: rows are never deleted, and only key rotation may rewrite the
-- encrypted phone and its blind index.
create function consent_events_append_only() returns trigger language plpgsql as $$
begin
  if tg_op in ('DELETE', 'TRUNCATE') then
    raise exception 'consent_events is append-only';
  end if;
  if (new.tenant_id, new.id, new.channel, new.action, new.source, new.note, new.created_at)
     is distinct from
     (old.tenant_id, old.id, old.channel, old.action, old.source, old.note, old.created_at) then
    raise exception 'consent_events is append-only';
  end if;
  return new;
end $$;
create trigger consent_events_append_only before update or delete on consent_events
  for each row execute function consent_events_append_only();
create trigger consent_events_no_truncate before truncate on consent_events
  for each statement execute function consent_events_append_only();

create table imports (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  kind text not null check (kind in ('contacts', 'do-not-call')),
  api_key_id uuid,
  status text not null check (status in ('running', 'done', 'failed')),
  encoding text,
  total integer not null default 0,
  created integer not null default 0,
  updated integer not null default 0,
  -- [{row, column, reason}] — reasons never quote the cell value.
  rejected jsonb not null default '[]',
  error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (tenant_id, id)
);

create table audit_log (
  tenant_id uuid not null references tenants (id),
  id bigint generated always as identity,
  actor_key_id uuid,
  action text not null,
  details jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

create table idempotency_keys (
  tenant_id uuid not null references tenants (id),
  key text not null,
  -- Digest of the request and the replayed response, both encrypted: they derive from PII.
  request_enc text not null,
  status integer,
  response_enc text,
  created_at timestamptz not null default now(),
  primary key (tenant_id, key)
);
