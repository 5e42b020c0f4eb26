-- What keeps a failure from taking a working setup down:
--   * ownership per resource: which Twilio resources this service created, and in which provisioning run, so a
--     failed run removes only what it created and never what it found (rows the old service provisioned, rows
--     other systems inserted with SIDs);
--   * degraded parts: an optional step that failed (origination URL, recording, ...) is recorded per part while
--     the row keeps serving its working configuration;
--   * retries with backoff for rows whose provisioning failed transiently, for the sweeper and the backfill;
--   * durable deprovisioning: deleting a credential row (or its user) records the teardown in the database, in the
--     same statement, and the teardown is retried until Twilio holds nothing of ours;
--   * short-lived locks as rows (leases), so a waiter holds no connection and a pool of one connection works.

alter table public.user_twilio_credentials
  add column if not exists owned_resources jsonb not null default '{}'::jsonb,
  add column if not exists degraded jsonb not null default '{}'::jsonb,
  add column if not exists attempts integer not null default 0,
  add column if not exists next_attempt_at timestamptz,
  add column if not exists origination_sip_uri text,
  add column if not exists fallback_origination_sip_uri text;

comment on column public.user_twilio_credentials.owned_resources is
  'Resources this service created: {"trunk": "<provisioning run id>", "credentialList": ..., "credential": ..., '
  '"originationUrl": ..., "fallbackOriginationUrl": ...}. A SID on the row without an entry here was adopted.';
comment on column public.user_twilio_credentials.degraded is
  'Parts that failed while the row kept its working configuration: {"<part>": {"code", "message", "at"}}';
comment on column public.user_twilio_credentials.next_attempt_at is
  'When the sweeper or the backfill may try an unfinished or transiently failed row again (backoff)';

-- Rows an earlier version of this service provisioned itself: its events say whether the trunk was created or
-- found. A created trunk means a fresh provisioning, which creates everything else too.
update public.user_twilio_credentials c
set owned_resources = (
  select jsonb_strip_nulls(jsonb_build_object(
    'trunk', 'migrated',
    'credentialList', case when c.credential_list_sid is not null then 'migrated' end,
    'credential', case when c.credential_sid is not null then 'migrated' end,
    'originationUrl', case when c.origination_url_sid is not null then 'migrated' end,
    'fallbackOriginationUrl', case when c.fallback_origination_url_sid is not null then 'migrated' end
  ))
)
where c.owned_resources = '{}'::jsonb and c.trunk_sid is not null
  and exists (
    select from public.provisioning_events e
    where e.credential_id = c.id and e.step = 'trunk' and e.outcome = 'succeeded'
      and e.twilio_sid = c.trunk_sid and (e.detail ->> 'adopted') = 'false'
  );

create index if not exists user_twilio_credentials_next_attempt on public.user_twilio_credentials (next_attempt_at)
  where next_attempt_at is not null;

-- A deleted row's teardown, recorded by the row's own delete. What it needs is here (the token stays in
-- twilio_credential_secrets, the numbers in twilio_phone_numbers) until it is done.
create table if not exists public.twilio_teardowns (
  credential_id uuid primary key,
  user_id uuid not null,
  account_sid text not null,
  trunk_sid text,
  credential_list_sid text,
  owned_resources jsonb not null default '{}'::jsonb,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  created_at timestamptz not null default now(),
  done_at timestamptz
);

create index if not exists twilio_teardowns_due on public.twilio_teardowns (next_attempt_at) where done_at is null;

alter table public.twilio_teardowns enable row level security;
revoke all on public.twilio_teardowns from anon, authenticated;
grant all on public.twilio_teardowns to service_role;

-- Deleting a user cascades to their credential rows (whose delete records the teardown); the numbers and events
-- must outlive that cascade so the teardown can restore the numbers and leave its trail.
alter table public.twilio_phone_numbers drop constraint if exists twilio_phone_numbers_user_id_fkey;
alter table public.provisioning_events drop constraint if exists provisioning_events_user_id_fkey;

create or replace function public.record_credential_teardown() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.trunk_sid is null and old.credential_list_sid is null
     and not exists (select from public.twilio_phone_numbers n where n.credential_id = old.id) then
    -- Nothing in Twilio: nothing to tear down, and the secrets can go at once.
    delete from public.twilio_credential_secrets where credential_id = old.id;
    return null;
  end if;
  insert into public.twilio_teardowns (credential_id, user_id, account_sid, trunk_sid, credential_list_sid,
                                       owned_resources)
  values (old.id, old.user_id, old.account_sid, old.trunk_sid, old.credential_list_sid, old.owned_resources)
  on conflict (credential_id) do nothing;
  return null;
end
$$;

revoke all on function public.record_credential_teardown() from public, anon, authenticated;

drop trigger if exists user_twilio_credentials_forget_bare_secrets on public.user_twilio_credentials;
drop function if exists public.forget_secrets_of_bare_credential();
drop trigger if exists user_twilio_credentials_record_teardown on public.user_twilio_credentials;
create trigger user_twilio_credentials_record_teardown
  after delete on public.user_twilio_credentials
  for each row execute function public.record_credential_teardown();

-- Leases instead of advisory locks held by an open transaction: see supabase/functions/_shared/db/locks.ts.
create table if not exists public.service_locks (
  key text primary key,
  holder uuid not null,
  expires_at timestamptz not null
);

alter table public.service_locks enable row level security;
revoke all on public.service_locks from anon, authenticated;
grant all on public.service_locks to service_role;

-- The sweeper on Supabase: every minute pg_cron asks the webhook function to sweep (due teardowns, rows to
-- retry), through pg_net with the same Vault secrets as the webhook. Where pg_cron is missing this is skipped;
-- `deno task sweep` does the same from outside.
create or replace function public.post_twilio_sweep() returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  webhook_url text;
  webhook_secret text;
begin
  if to_regprocedure('net.http_post(text, jsonb, jsonb, jsonb, integer)') is null
     or to_regclass('vault.decrypted_secrets') is null then
    return null;
  end if;
  execute $q$
    select max(decrypted_secret) filter (where name = 'twilio_credentials_webhook_url'),
           max(decrypted_secret) filter (where name = 'twilio_credentials_webhook_secret')
    from vault.decrypted_secrets
    where name in ('twilio_credentials_webhook_url', 'twilio_credentials_webhook_secret')
  $q$ into webhook_url, webhook_secret;
  if webhook_url is null or webhook_secret is null then
    return null;
  end if;
  return (select net.http_post(
    url := webhook_url,
    body := jsonb_build_object('type', 'SWEEP'),
    headers := jsonb_build_object('Content-Type', 'application/json', 'X-Webhook-Secret', webhook_secret),
    timeout_milliseconds := 60000
  ));
end
$$;

revoke all on function public.post_twilio_sweep() from public, anon, authenticated;

do $$
begin
  if exists (select from pg_available_extensions where name = 'pg_cron') then
    create extension if not exists pg_cron;
  end if;
  if to_regprocedure('cron.schedule(text, text, text)') is not null then
    perform cron.schedule('twilio-sip-sweep', '* * * * *', 'select public.post_twilio_sweep()');
  end if;
end
$$;
