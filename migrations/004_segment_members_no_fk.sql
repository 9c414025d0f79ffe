-- A refresh inserts up to a member per contact; the per-row foreign key check to segments
-- cost about 40% of refreshing a million contacts (docs/benchmarks.md). Segments are never
-- deleted, and members are only written by the refresh, which holds the segment's row lock.
alter table segment_members drop constraint segment_members_tenant_id_segment_id_fkey;
