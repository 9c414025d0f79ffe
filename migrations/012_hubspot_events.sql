-- HubSpot webhook events as received, so a redelivery (HubSpot retries for up to three days)
-- is acted on once per tenant. HubSpot says an eventId alone "is not guaranteed to be unique":
-- with the subscription and the record it names one change, and a retry repeats all three.
-- No payload is kept (nothing personal): the row is the event's receipt.
create table hubspot_events (
  tenant_id uuid not null,
  event_id bigint not null,
  subscription_id bigint not null,
  object_id bigint not null,
  subscription_type text not null,
  received_at timestamptz not null default now(),
  primary key (tenant_id, event_id, subscription_id, object_id)
);
