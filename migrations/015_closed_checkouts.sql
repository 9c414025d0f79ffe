-- The checkout an order (or a completed checkout) closes, kept on the delivery's receipt: a
-- store's events can be processed out of order, and a checkout that arrives after its order
-- must not be chased. A token names no one.
alter table commerce_events add column closes_checkout text;
create index commerce_events_closes on commerce_events (tenant_id, closes_checkout) where closes_checkout is not null;
