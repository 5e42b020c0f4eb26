-- What provisioning needs to be resumable and auditable: a status per credential row, the last error, the SID of
-- every Twilio resource the moment it exists (so a re-run finishes instead of duplicating), the recording
-- setting, the numbers attached to the main trunk, and an append-only log of every step.

alter table public.user_twilio_credentials
  add column if not exists status text not null default 'pending'
    check (status in ('pending', 'provisioning', 'active', 'failed', 'deprovisioning')),
  add column if not exists last_error_code integer,
  add column if not exists last_error_message text,
  add column if not exists credential_sid text check (credential_sid ~ '^CR[0-9a-f]{32}$'),
  add column if not exists origination_url_sid text check (origination_url_sid ~ '^OU[0-9a-f]{32}$'),
  add column if not exists fallback_origination_url_sid text
    check (fallback_origination_url_sid ~ '^OU[0-9a-f]{32}$'),
  add column if not exists recording_mode text not null default 'do-not-record'
    check (recording_mode in (
      'do-not-record', 'record-from-ringing', 'record-from-answer', 'record-from-ringing-dual',
      'record-from-answer-dual'
    )),
  add column if not exists recording_trim text not null default 'do-not-trim'
    check (recording_trim in ('trim-silence', 'do-not-trim')),
  add column if not exists provisioned_at timestamptz;

-- The webhook finds rows written by other systems that still need provisioning.
create index if not exists user_twilio_credentials_status on public.user_twilio_credentials (status)
  where status <> 'active';

-- Numbers attached to a main trunk, with the voice settings Twilio clears on attach so detach can restore them.
-- credential_id has no foreign key on purpose: when a credential row is deleted, the DELETE webhook still needs
-- these rows to restore the numbers, and removes them itself.
create table if not exists public.twilio_phone_numbers (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  credential_id uuid not null,
  account_sid text not null check (account_sid ~ '^AC[0-9a-f]{32}$'),
  trunk_sid text not null check (trunk_sid ~ '^TK[0-9a-f]{32}$'),
  phone_number_sid text not null check (phone_number_sid ~ '^PN[0-9a-f]{32}$'),
  phone_number text not null check (phone_number ~ '^\+[1-9][0-9]{1,14}$'),
  previous_voice_url text,
  previous_voice_method text,
  previous_voice_application_sid text,
  previous_trunk_sid text,
  attached_at timestamptz not null default now(),
  unique (credential_id, phone_number_sid)
);

create index if not exists twilio_phone_numbers_user_id on public.twilio_phone_numbers (user_id);

-- Append-only: every API role may only insert and read; the trigger refuses updates from anyone.
create table if not exists public.provisioning_events (
  id bigint generated always as identity primary key,
  credential_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  step text not null,
  outcome text not null check (outcome in ('started', 'succeeded', 'failed', 'skipped')),
  twilio_sid text,
  detail jsonb,
  created_at timestamptz not null default now()
);

create index if not exists provisioning_events_credential on public.provisioning_events (credential_id, id);

create or replace function public.refuse_event_update() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'provisioning_events is append-only' using errcode = 'insufficient_privilege';
end
$$;

drop trigger if exists provisioning_events_append_only on public.provisioning_events;
create trigger provisioning_events_append_only
  before update on public.provisioning_events
  for each row execute function public.refuse_event_update();
