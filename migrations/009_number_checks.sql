-- Carrier number checks (Twilio Lookup v2, line_type_intelligence), cached per tenant and
-- number so a number is looked up (and paid for) once per cache period, however many
-- contacts, imports and chases it appears in. Keyed by the phone's blind index: no
-- plaintext number. A key rotation changes the index, which only costs a fresh lookup.
create table number_checks (
  tenant_id uuid not null,
  phone_hash bytea not null,
  valid boolean not null,
  -- Twilio's line type (mobile, landline, fixedVoip, nonFixedVoip, tollFree…); null when the carrier did not say.
  line_type text,
  country text,
  checked_at timestamptz not null,
  primary key (tenant_id, phone_hash)
);
