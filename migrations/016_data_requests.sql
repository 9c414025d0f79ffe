-- A person's request for the data Chaseline holds on them (a store's customers/data_request):
-- what was found is compiled when the request arrives and kept encrypted for the tenant's
-- admins to hand over; reading it is audited.
create table data_requests (
  tenant_id uuid not null,
  id uuid not null,
  source text not null,
  external_id text,
  contacts int not null,
  report_enc text not null,
  received_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index data_requests_once on data_requests (tenant_id, source, external_id) where external_id is not null;
