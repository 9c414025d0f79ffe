-- An app uninstalled from an outside account (a store): its customers' data is erased when the
-- vendor says so (Shopify's shop/redact, sent 48 hours after the uninstall) or, should that
-- never arrive, once `due_at` passes (the reap job). A re-install before then cancels it.
create table account_erasures (
  tenant_id uuid not null,
  connector text not null,
  account text not null,
  uninstalled_at timestamptz not null,
  due_at timestamptz not null,
  erased_at timestamptz,
  primary key (tenant_id, connector, account)
);
create index account_erasures_due on account_erasures (due_at) where erased_at is null;

-- A store's embedded page lists its latest chases, newest first.
create index chases_recent on chases (tenant_id, created_at desc);
