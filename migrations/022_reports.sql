-- Reports (issue 11): rollups kept up to date as facts happen, so a report reads a few
-- thousand rollup rows instead of scanning attempts. The definitions in words are in
-- core/reports/definitions.ts; this file is the same definitions in SQL.
--
-- How the counting works: each source row (an attempt, a chase, an import) *contributes* one
-- rollup row — its dimensions plus 0/1 counters — computed from that row alone by
-- report_*_contribution(). A trigger applies "minus the old contribution, plus the new one"
-- whenever the row changes, in the transaction that changed it. So every path that records a
-- fact (callbacks, the reaper, the dialog, the store, imports, opt-outs) counts it once, and a
-- repeated callback that changes nothing counts nothing. `npm run chaseline -- reports rebuild`
-- recomputes the rollups from the same functions (core/reports/rollups.ts).

-- What industry a campaign serves, for benchmarks by industry; null: 'other'.
alter table campaigns add column industry text
  check (industry in ('ecommerce', 'education', 'finance', 'insurance', 'real-estate', 'healthcare', 'travel', 'other'));

-- The analyst role: reads everything, exports reports, changes nothing.
alter table api_keys drop constraint api_keys_role_check;
alter table api_keys add constraint api_keys_role_check check (role in ('admin', 'operator', 'analyst', 'viewer'));

-- What a chase is counted under, fixed when it starts (a later edit of the campaign does not
-- move history), and what happened to it that reports count once per chase.
alter table chases
  add column industry text,
  add column goal text,
  -- The chase's first placed attempt: its line, carrier and the recipient's local hour and
  -- weekday then. Chase-level counts (chases, conversions…) group by these.
  add column touch_attempt uuid,
  add column touch_line text,
  add column touch_carrier text,
  add column touch_local_hour smallint,
  add column touch_weekday smallint,
  -- First click on one of its tracked links, and what drew its complaint (chase_complaints).
  add column clicked_at timestamptz,
  add column complaint_source text;

-- What an attempt is counted under: the chase's script, tier and industry, the recipient's
-- time zone (for the local hour), and the connector that placed it (twilio, simulator…).
alter table attempts
  add column script text,
  add column tier text,
  add column industry text,
  add column time_zone text,
  add column carrier text;

create table report_rollups (
  tenant_id uuid not null,
  -- The UTC hour the fact belongs to: an attempt's start; a chase's start (chase-level counts
  -- are cohorts: a chase's conversion counts in the hour the chase began); an import's start.
  hour timestamptz not null,
  campaign_id uuid,
  script text,
  tier text,
  industry text,
  -- The pool line's id, or the campaign's own caller id (a business number, not PII).
  line text,
  carrier text,
  local_hour smallint,
  weekday smallint,
  -- Set only on rows that carry recovered revenue.
  currency text,
  chases int not null default 0,
  attempts int not null default 0,
  answered int not null default 0,
  machine int not null default 0,
  talk_seconds bigint not null default 0,
  sms_sent int not null default 0,
  sms_delivered int not null default 0,
  sms_clicked int not null default 0,
  conversions int not null default 0,
  opt_outs int not null default 0,
  complaints int not null default 0,
  invalid int not null default 0,
  -- Import rows refused for their number (they have no chase: the invalid rate's denominator adds them).
  refused int not null default 0,
  revenue numeric(16, 2) not null default 0
);
create unique index report_rollups_key on report_rollups
  (tenant_id, hour, campaign_id, script, tier, industry, line, carrier, local_hour, weekday, currency) nulls not distinct;

-- What the triggers add, appended, never updated: concurrent facts of one hour and campaign
-- would otherwise wait on (and deadlock over) the same rollup rows. Reports read the rollups
-- plus these; report_fold() (every minute, from the worker) moves them into the rollups.
create table report_rollup_deltas (like report_rollups including defaults);
create index report_rollup_deltas_by_hour on report_rollup_deltas (tenant_id, hour);

-- Carrier error codes that mean the number is invalid or disconnected: Twilio 21211 (invalid
-- To), 21214 (not reachable), 21217 (not valid), 13224 (invalid destination), 21612 (cannot
-- route); an SMS undelivered with 30003 (unreachable), 30005 (unknown), 30006 (landline).
create function report_invalid_error(error text, channel text) returns boolean language sql immutable as $$
  select coalesce(error ~ case when channel = 'sms' then '\m(30003|30005|30006)\M' else '\m(21211|21214|21217|13224|21612)\M' end, false)
$$;

create function report_attempt_contribution(a attempts) returns report_rollups language sql stable as $$
  select a.tenant_id, date_trunc('hour', a.created_at), a.campaign_id, a.script, a.tier, a.industry,
         coalesce(a.line_id::text, a.from_number), a.carrier,
         extract(hour from a.created_at at time zone coalesce(a.time_zone, 'UTC'))::smallint,
         extract(isodow from a.created_at at time zone coalesce(a.time_zone, 'UTC'))::smallint,
         null::text,
         0,
         ((a.channel = 'voice' and a.status <> 'not-placed') is true)::int,
         ((a.channel = 'voice' and a.status = 'completed' and a.outcome is distinct from 'machine') is true)::int,
         ((a.channel = 'voice' and a.status = 'completed' and a.outcome = 'machine') is true)::int,
         case when a.channel = 'voice' and a.status = 'completed' and a.outcome is distinct from 'machine' then coalesce(a.duration_seconds, 0) else 0 end,
         ((a.channel = 'sms' and a.status in ('sent', 'delivered', 'undelivered')) is true)::int,
         ((a.channel = 'sms' and a.status = 'delivered') is true)::int,
         0, 0, 0, 0,
         ((a.channel = 'sms' and a.status = 'undelivered' and report_invalid_error(a.error, 'sms')) is true)::int,
         0,
         0::numeric
$$;

create function report_chase_contribution(c chases) returns report_rollups language sql stable as $$
  select c.tenant_id, date_trunc('hour', c.created_at), c.campaign_id, c.script, c.tier, c.industry,
         c.touch_line, c.touch_carrier, c.touch_local_hour, c.touch_weekday,
         case when c.revenue is not null then c.revenue_currency end,
         1, 0, 0, 0, 0, 0, 0,
         ((c.clicked_at is not null) is true)::int,
         ((case c.goal when 'interested' then c.outcome = 'interested'
                      when 'link-clicked' then c.clicked_at is not null
                      when 'order' then c.revenue is not null
                      else false end) is true)::int,
         ((c.outcome = 'opted-out' or c.complaint_source = 'opt-out') is true)::int,
         ((c.complaint_source is not null) is true)::int,
         ((c.outcome = 'invalid-number' or (c.outcome = 'carrier-refused' and report_invalid_error(c.last_error, 'voice'))) is true)::int,
         0,
         coalesce(c.revenue, 0)
$$;

create function report_import_contribution(i imports) returns report_rollups language sql stable as $$
  select i.tenant_id, date_trunc('hour', i.created_at), null::uuid, null, null, null, null, null, null::smallint, null::smallint, null,
         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n, n, 0::numeric
    from (select count(*)::int as n from jsonb_array_elements(i.rejected) r where r ->> 'reason' like 'phone:%') t
$$;

-- Adds `sign` × one contribution: a new delta row, so no transaction waits on another.
create function report_apply(r report_rollups, sign int) returns void language plpgsql as $$
begin
  if r.tenant_id is null or (r.chases, r.attempts, r.answered, r.machine, r.talk_seconds, r.sms_sent, r.sms_delivered, r.sms_clicked, r.conversions,
                   r.opt_outs, r.complaints, r.invalid, r.refused, r.revenue) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) then
    return;
  end if;
  insert into report_rollup_deltas values (
    r.tenant_id, r.hour, r.campaign_id, r.script, r.tier, r.industry, r.line, r.carrier, r.local_hour, r.weekday, r.currency,
    sign * r.chases, sign * r.attempts, sign * r.answered, sign * r.machine, sign * r.talk_seconds, sign * r.sms_sent, sign * r.sms_delivered,
    sign * r.sms_clicked, sign * r.conversions, sign * r.opt_outs, sign * r.complaints, sign * r.invalid, sign * r.refused, sign * r.revenue);
end
$$;

-- Moves the committed deltas into the rollups, one folder at a time (others return at once).
-- Returns how many rollup rows it wrote.
create function report_fold() returns int language plpgsql as $$
declare
  n int;
begin
  if not pg_try_advisory_xact_lock(7163082355717531507) then
    return 0;
  end if;
  with moved as (delete from report_rollup_deltas returning *)
  insert into report_rollups
  select tenant_id, hour, campaign_id, script, tier, industry, line, carrier, local_hour, weekday, currency,
         sum(chases), sum(attempts), sum(answered), sum(machine), sum(talk_seconds), sum(sms_sent), sum(sms_delivered),
         sum(sms_clicked), sum(conversions), sum(opt_outs), sum(complaints), sum(invalid), sum(refused), sum(revenue)
    from moved
   group by tenant_id, hour, campaign_id, script, tier, industry, line, carrier, local_hour, weekday, currency
  on conflict (tenant_id, hour, campaign_id, script, tier, industry, line, carrier, local_hour, weekday, currency) do update set
    chases = report_rollups.chases + excluded.chases,
    attempts = report_rollups.attempts + excluded.attempts,
    answered = report_rollups.answered + excluded.answered,
    machine = report_rollups.machine + excluded.machine,
    talk_seconds = report_rollups.talk_seconds + excluded.talk_seconds,
    sms_sent = report_rollups.sms_sent + excluded.sms_sent,
    sms_delivered = report_rollups.sms_delivered + excluded.sms_delivered,
    sms_clicked = report_rollups.sms_clicked + excluded.sms_clicked,
    conversions = report_rollups.conversions + excluded.conversions,
    opt_outs = report_rollups.opt_outs + excluded.opt_outs,
    complaints = report_rollups.complaints + excluded.complaints,
    invalid = report_rollups.invalid + excluded.invalid,
    refused = report_rollups.refused + excluded.refused,
    revenue = report_rollups.revenue + excluded.revenue;
  get diagnostics n = row_count;
  return n;
end
$$;

-- Old contribution out, new one in; nothing when the row's contribution did not change.
create function report_attempts_count() returns trigger language plpgsql as $$
declare
  before_ report_rollups := case when tg_op = 'UPDATE' then report_attempt_contribution(old) end;
  after_ report_rollups := report_attempt_contribution(new);
  next_ record;
begin
  if before_ is distinct from after_ then
    perform report_apply(before_, -1);
    perform report_apply(after_, 1);
  end if;
  -- The chase's first placed attempt decides its line, carrier, local hour and weekday.
  if new.status <> 'not-placed' then
    update chases set touch_attempt = new.id, touch_line = after_.line, touch_carrier = new.carrier,
                      touch_local_hour = after_.local_hour, touch_weekday = after_.weekday
     where tenant_id = new.tenant_id and id = new.chase_id and touch_attempt is null;
  elsif tg_op = 'UPDATE' and old.status <> 'not-placed' then
    -- Never placed after all: the chase's next placed attempt, if any, takes its place.
    select a.id, a.carrier, report_attempt_contribution(a) as r into next_
      from attempts a
     where a.tenant_id = new.tenant_id and a.chase_id = new.chase_id and a.status <> 'not-placed'
     order by a.created_at, a.id limit 1;
    update chases set touch_attempt = next_.id, touch_line = (next_.r).line, touch_carrier = next_.carrier,
                      touch_local_hour = (next_.r).local_hour, touch_weekday = (next_.r).weekday
     where tenant_id = new.tenant_id and id = new.chase_id and touch_attempt = new.id;
  end if;
  return null;
end
$$;

create function report_chases_count() returns trigger language plpgsql as $$
declare
  before_ report_rollups := case when tg_op = 'UPDATE' then report_chase_contribution(old) end;
  after_ report_rollups := report_chase_contribution(new);
begin
  if before_ is distinct from after_ then
    perform report_apply(before_, -1);
    perform report_apply(after_, 1);
  end if;
  return null;
end
$$;

create function report_imports_count() returns trigger language plpgsql as $$
declare
  before_ report_rollups := case when tg_op = 'UPDATE' then report_import_contribution(old) end;
  after_ report_rollups := report_import_contribution(new);
begin
  if before_ is distinct from after_ then
    perform report_apply(before_, -1);
    perform report_apply(after_, 1);
  end if;
  return null;
end
$$;

-- A new chase takes its campaign's industry and goal as they are when it starts.
create function report_chase_dims() returns trigger language plpgsql as $$
begin
  select coalesce(new.industry, cp.industry, 'other'),
         coalesce(new.goal, cp.goal, case when cp.trigger ->> 'type' = 'abandoned-checkout' then 'order' else 'interested' end)
    into new.industry, new.goal
    from campaigns cp where cp.tenant_id = new.tenant_id and cp.id = new.campaign_id;
  return new;
end
$$;

-- A new attempt takes its chase's script, tier and industry, and the time zone of the
-- chase's earlier attempts (or the contact's) when the code placing it did not say.
create function report_attempt_dims() returns trigger language plpgsql as $$
begin
  select ch.script, ch.tier, ch.industry into new.script, new.tier, new.industry
    from chases ch where ch.tenant_id = new.tenant_id and ch.id = new.chase_id;
  if new.time_zone is null then
    new.time_zone := coalesce(
      (select a.time_zone from attempts a where a.tenant_id = new.tenant_id and a.chase_id = new.chase_id and a.time_zone is not null
        order by a.created_at desc limit 1),
      (select c.time_zone from chases ch join contacts c on c.tenant_id = ch.tenant_id and c.id = ch.contact_id
        where ch.tenant_id = new.tenant_id and ch.id = new.chase_id));
  end if;
  if new.carrier is null then
    new.carrier := (select a.carrier from attempts a where a.tenant_id = new.tenant_id and a.chase_id = new.chase_id and a.carrier is not null
                     order by a.created_at desc limit 1);
  end if;
  return new;
end
$$;

-- A chase's first click and its complaint, onto the chase (whose trigger counts them).
create function report_link_click() returns trigger language plpgsql as $$
begin
  update chases ch set clicked_at = new.clicked_at
    from links l
   where l.code = new.code and ch.tenant_id = l.tenant_id and ch.id = l.chase_id and ch.clicked_at is null;
  return null;
end
$$;

create function report_complaint() returns trigger language plpgsql as $$
begin
  update chases set complaint_source = new.source
   where tenant_id = new.tenant_id and id = new.chase_id and complaint_source is null;
  return null;
end
$$;

-- Recounts one tenant's rollups from its rows with the same contribution functions the
-- triggers use: for installations upgraded to reports, and after any repair. Rows stored
-- before reports existed get their dimensions first (an attempt's time zone from its dialing
-- event, else its contact's, else UTC). Live counting waits while it runs.
create function report_rebuild(p_tenant uuid) returns void language plpgsql as $$
begin
  lock table report_rollup_deltas in share row exclusive mode;
  lock table report_rollups in share row exclusive mode;
  update chases ch set industry = coalesce(cp.industry, 'other'),
                       goal = coalesce(cp.goal, case when cp.trigger ->> 'type' = 'abandoned-checkout' then 'order' else 'interested' end)
    from campaigns cp
   where ch.tenant_id = p_tenant and ch.industry is null and cp.tenant_id = ch.tenant_id and cp.id = ch.campaign_id;
  update attempts a set script = ch.script, tier = ch.tier, industry = ch.industry,
                        time_zone = coalesce(a.time_zone,
                          (select e.detail ->> 'timeZone' from chase_events e
                            where e.tenant_id = a.tenant_id and e.chase_id = a.chase_id and e.attempt_id = a.id and e.type = 'dialing' limit 1),
                          (select c.time_zone from contacts c where c.tenant_id = ch.tenant_id and c.id = ch.contact_id))
    from chases ch
   where a.tenant_id = p_tenant and a.industry is null and ch.tenant_id = a.tenant_id and ch.id = a.chase_id;
  update chases ch set touch_attempt = t.id, touch_line = (t.r).line, touch_carrier = t.carrier,
                       touch_local_hour = (t.r).local_hour, touch_weekday = (t.r).weekday
    from (select distinct on (a.chase_id) a.chase_id, a.id, a.carrier, report_attempt_contribution(a) as r
            from attempts a where a.tenant_id = p_tenant and a.status <> 'not-placed'
           order by a.chase_id, a.created_at, a.id) t
   where ch.tenant_id = p_tenant and ch.id = t.chase_id and ch.touch_attempt is null;
  update chases ch set clicked_at = k.first
    from (select l.chase_id, min(c.clicked_at) as first from links l join link_clicks c on c.tenant_id = l.tenant_id and c.code = l.code
           where l.tenant_id = p_tenant group by l.chase_id) k
   where ch.tenant_id = p_tenant and ch.id = k.chase_id and ch.clicked_at is null;
  update chases ch set complaint_source = k.source
    from chase_complaints k
   where ch.tenant_id = p_tenant and k.tenant_id = ch.tenant_id and k.chase_id = ch.id and ch.complaint_source is null;

  delete from report_rollup_deltas where tenant_id = p_tenant;
  delete from report_rollups where tenant_id = p_tenant;
  insert into report_rollups
  select r.tenant_id, r.hour, r.campaign_id, r.script, r.tier, r.industry, r.line, r.carrier, r.local_hour, r.weekday, r.currency,
         sum(r.chases), sum(r.attempts), sum(r.answered), sum(r.machine), sum(r.talk_seconds), sum(r.sms_sent), sum(r.sms_delivered),
         sum(r.sms_clicked), sum(r.conversions), sum(r.opt_outs), sum(r.complaints), sum(r.invalid), sum(r.refused), sum(r.revenue)
    from (select x.* from attempts a, lateral report_attempt_contribution(a) x where a.tenant_id = p_tenant
          union all
          select x.* from chases c, lateral report_chase_contribution(c) x where c.tenant_id = p_tenant
          union all
          select x.* from imports i, lateral report_import_contribution(i) x where i.tenant_id = p_tenant) r
   group by r.tenant_id, r.hour, r.campaign_id, r.script, r.tier, r.industry, r.line, r.carrier, r.local_hour, r.weekday, r.currency;
end
$$;

-- Installations that already have chases: their history is counted once, before the triggers count what comes next.
select report_rebuild(id) from tenants;

create trigger report_dims before insert on chases for each row execute function report_chase_dims();
create trigger report_dims before insert on attempts for each row execute function report_attempt_dims();
create trigger report_count after insert or update on attempts for each row execute function report_attempts_count();
create trigger report_count after insert or update on chases for each row execute function report_chases_count();
create trigger report_count after insert or update on imports for each row execute function report_imports_count();
create trigger report_count after insert on link_clicks for each row execute function report_link_click();
create trigger report_count after insert on chase_complaints for each row execute function report_complaint();
