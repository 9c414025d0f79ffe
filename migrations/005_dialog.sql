-- The call dialog (issue 4): how a campaign's calls behave once answered, and what each
-- call heard and understood.

-- Transfer target, re-prompts, callback delay, voicemail behaviour (core/dialog.schema.ts).
alter table campaigns add column call jsonb not null default '{}';

-- The last intent understood on the call, and whether its prompts were synthesised ahead
-- (then TwiML plays /media/{key}; otherwise it uses <Say>).
alter table attempts add column intent text;
alter table attempts add column tts boolean not null default false;
