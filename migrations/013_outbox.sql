-- Write-backs to vendors (issue 5): a CRM's call and SMS activities, opt-outs, tags, a
-- store's order notes. A row is written in the transaction of the change that caused it and
-- sent by the connector-writeback job, which retries with backoff; a row that ran out of
-- attempts (or that the vendor refused for good) is dead, shown by the API until retried.
-- The item is encrypted (it names a number) and dropped once sent.
create table outbox (
  tenant_id uuid not null,
  id bigint generated always as identity,
  connector text not null,
  kind text not null,
  item_enc text,
  -- The contact it is about, so erasing the person drops what was still to be sent.
  contact_id uuid,
  -- One write-back per cause (an attempt's call activity is logged once, however often its callback comes).
  dedupe_key text,
  status text not null default 'pending' check (status in ('pending', 'done', 'skipped', 'dead')),
  attempts int not null default 0,
  next_at timestamptz not null default now(),
  last_error text,
  vendor_id text,
  created_at timestamptz not null default now(),
  done_at timestamptz,
  primary key (tenant_id, id)
);
create index outbox_due on outbox (tenant_id, connector, next_at) where status = 'pending';
create index outbox_dead on outbox (tenant_id, connector, id) where status = 'dead';
create unique index outbox_once on outbox (tenant_id, connector, dedupe_key) where dedupe_key is not null;

-- Last writer wins by the source's own time: the change time of the version a contact holds
-- (the CRM's modification stamp, or when the API or an import wrote it).
alter table contacts add column changed_at timestamptz;
