-- Chases waiting on their number (held by the caps, the calling window or a call on the line)
-- form the number's queue: each gets a slot of its own, in priority order, re-planned under
-- the number's lock whenever a chase of that number steps (core/chases.queue.ts). The flag
-- tells a waiting chase from one scheduled for its own reasons (a delay, a retry, a callback).
alter table chases add column in_phone_queue boolean not null default false;
