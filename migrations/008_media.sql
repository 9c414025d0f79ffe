-- Synthesised audio (issue 4): made by the worker before it places a call, fetched by the
-- carrier from /media/{key} (core/media.ts, api/routes/media.ts).

-- The key is the whole primary key: /media/{key} carries no tenant. The key is a keyed HMAC
-- over the tenant and what is said, so tenants never share a row and the key reveals
-- nothing; with Citus this table distributes by key, as nothing joins it.
-- Audio may speak a person's name, so it is stored encrypted (Pii.encryptBytes); `bytes` is
-- the plaintext length, for Content-Length and for sizing the cache.
create table media (
  key text primary key,
  tenant_id uuid not null,
  content_type text not null,
  audio_enc bytea not null,
  bytes int not null,
  created_at timestamptz not null default now(),
  -- Refreshed (at most hourly) when a call needs the audio again; eviction goes by it.
  last_used_at timestamptz not null default now()
);
create index media_by_tenant on media (tenant_id, last_used_at);
create index media_by_last_use on media (last_used_at);
