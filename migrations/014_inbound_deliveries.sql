-- Deliveries from a CRM that start chases (a Salesforce Outbound Message, a Flow's callout),
-- by the sender's own id: a sender retries until acknowledged, and a retry is acted on once.
-- Nothing personal is kept: the row is the delivery's receipt.
create table inbound_deliveries (
  tenant_id uuid not null,
  source text not null,
  delivery_id text not null,
  received_at timestamptz not null default now(),
  primary key (tenant_id, source, delivery_id)
);
