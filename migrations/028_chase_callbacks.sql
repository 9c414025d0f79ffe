-- A chase started by a vendor's blocking automation step (a HubSpot workflow action that
-- waits for the chase): the callback to complete with the chase's result when it ends. The
-- vendor's retries of the same request find the row instead of starting a second chase.
create table chase_callbacks (
  tenant_id uuid not null,
  system text not null,
  callback_id text not null,
  chase_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, system, callback_id)
);
create index chase_callbacks_chase on chase_callbacks (tenant_id, chase_id);
