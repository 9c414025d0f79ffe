-- Imports survive a crash. Each batch of rows records its counts (total, created, updated,
-- rejected) in the transaction that lands it, so the row always says what is committed; an
-- import whose process died is found (see core/imports.liveness.ts) and marked `interrupted`.
alter table imports drop constraint if exists imports_status_check;
alter table imports add constraint imports_status_check check (status in ('running', 'done', 'failed', 'interrupted'));
-- When the last batch landed (or the import started): how long a running import has been quiet.
alter table imports add column progressed_at timestamptz;
update imports set progressed_at = coalesce(finished_at, created_at);
alter table imports alter column progressed_at set default now();
alter table imports alter column progressed_at set not null;
-- The start-up and periodic sweeps look only at running imports, across tenants.
create index imports_running on imports (created_at) where status = 'running';
