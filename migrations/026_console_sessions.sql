-- Browser sign-in (issue 11): the console exchanges an API key, pasted once, for a random
-- session id held in an HttpOnly cookie, so the key itself never stays in the browser. Only a
-- SHA-256 of the session id is stored (it is 256-bit random, so a slow hash adds nothing). A
-- session lives no longer than its key: lookups join api_keys and ignore a revoked key's sessions.
create table sessions (
  tenant_id uuid not null,
  id_hash bytea not null,
  key_id uuid not null,
  role text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (tenant_id, id_hash)
);
create unique index sessions_hash on sessions (id_hash);
create index sessions_by_key on sessions (tenant_id, key_id);
create index sessions_expiry on sessions (expires_at);
