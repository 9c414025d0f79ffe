-- Abandoned-cart chases (issue 5): a chase started by a store event carries the event's key
-- (the checkout's token), so updates find it and an order ends it; revenue an order brought
-- back is attributed to the chase.
alter table chases add column source_key text;
alter table chases add column revenue numeric(14, 2);
alter table chases add column revenue_currency text;
create unique index chases_one_per_source on chases (tenant_id, campaign_id, source_key) where source_key is not null;

-- Store webhooks as received: the mapped event, encrypted (it names a person and a number),
-- keyed by the store's delivery id so a redelivery is processed once. The event is dropped
-- once processed; the row stays as the delivery's receipt.
create table commerce_events (
  tenant_id uuid not null,
  delivery_id text not null,
  topic text not null,
  event_enc text,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  primary key (tenant_id, delivery_id)
);
