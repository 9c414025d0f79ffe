-- One record of the vendor deliveries seen, for every vendor (core/inbound.ts owns it): a
-- delivery the sender repeats (Twilio's callbacks, Shopify's and HubSpot's retries, a Salesforce
-- Outbound Message until acknowledged) is acted on once. It replaces webhook_deliveries (Twilio)
-- and hubspot_events, and takes over commerce_events' dedupe role (that table keeps the store
-- event for its job and which checkout an order closed, keyed the same way).
--
-- tenant_id leads the key, as in every tenant table. A delivery whose tenant is not known when
-- it is recorded (an inbound SMS: the line it came to decides, after the dedupe) is kept under
-- the nil uuid. Twilio's call callbacks carry the attempt, so they are kept under its tenant.
-- Nothing personal is kept: a row is a delivery's receipt (the vendor's own id).
--
-- Rows older than the vendors' retry windows are deleted by the reap job (7 days; HubSpot
-- retries for 3 days, Shopify for 48 hours, Salesforce for 24 hours): a delivery seen again
-- after that is treated as new, which is what vendors expect.
create index inbound_deliveries_received on inbound_deliveries (received_at);

-- What the old tables still hold that a retry could repeat: the last 7 days.
insert into inbound_deliveries (tenant_id, source, delivery_id, received_at)
select coalesce(a.tenant_id, '00000000-0000-0000-0000-000000000000'),
       -- Named for what they record: an answering machine's verdict, a transfer's outcome.
       case w.vendor when 'twilio' then 'machine-verdict' when 'twilio-dial' then 'dialog-transfer' when 'twilio-gather' then 'dialog-answer' when 'twilio-sms' then 'inbound-sms' else w.vendor end,
       w.delivery_id, w.received_at
  from webhook_deliveries w
  left join attempts a on w.vendor <> 'twilio-sms' and a.sid = split_part(w.delivery_id, ':', 1)
 where w.received_at > now() - interval '7 days'
on conflict do nothing;

insert into inbound_deliveries (tenant_id, source, delivery_id, received_at)
select tenant_id, 'hubspot', event_id || ':' || subscription_id || ':' || object_id, received_at
  from hubspot_events
 where received_at > now() - interval '7 days'
on conflict do nothing;

insert into inbound_deliveries (tenant_id, source, delivery_id, received_at)
select tenant_id, 'shopify', delivery_id, received_at
  from commerce_events
 where received_at > now() - interval '7 days'
on conflict do nothing;

drop table webhook_deliveries;
drop table hubspot_events;
