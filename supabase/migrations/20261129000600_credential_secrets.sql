-- The two secrets of a credential row (the Twilio auth token and the SIP password, ciphertext once the functions
-- have sealed them) move into a table of their own that only service_role can reach. Owners can then read their
-- credential rows whole: supabase.from('user_twilio_credentials').select() works through RLS, where column
-- privileges made it fail for the missing column, and a browser never receives a secret, not even as ciphertext.
--
-- auth_token and sip_password stay on user_twilio_credentials under their old names as an inlet: systems that
-- insert rows with a token keep working, and a trigger moves whatever is written there into the secrets table
-- before the row is stored, so the columns always read null.
--
-- The secrets table has no foreign keys on purpose: when a credential row (or its user) is deleted, the teardown
-- that removes the trunk from Twilio still needs the token, and deletes the secrets itself when it is done.

create table if not exists public.twilio_credential_secrets (
  credential_id uuid primary key,
  user_id uuid not null,
  auth_token text not null,
  sip_password text,
  updated_at timestamptz not null default now()
);

comment on table public.twilio_credential_secrets is
  'Secrets of user_twilio_credentials rows (AES-256-GCM ciphertext, see _shared/crypto); service_role only';

alter table public.twilio_credential_secrets enable row level security;
revoke all on public.twilio_credential_secrets from anon, authenticated;
grant all on public.twilio_credential_secrets to service_role;

create or replace function public.move_credential_secrets() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.auth_token is not null then
    insert into public.twilio_credential_secrets (credential_id, user_id, auth_token, sip_password)
    values (new.id, new.user_id, new.auth_token, new.sip_password)
    on conflict (credential_id) do update
      set auth_token = excluded.auth_token,
          sip_password = coalesce(excluded.sip_password, public.twilio_credential_secrets.sip_password),
          updated_at = now();
  elsif new.sip_password is not null then
    update public.twilio_credential_secrets set sip_password = new.sip_password, updated_at = now()
    where credential_id = new.id;
  end if;
  new.auth_token := null;
  new.sip_password := null;
  return new;
end
$$;

revoke all on function public.move_credential_secrets() from public, anon, authenticated;

drop trigger if exists user_twilio_credentials_move_secrets on public.user_twilio_credentials;
create trigger user_twilio_credentials_move_secrets
  before insert or update of auth_token, sip_password on public.user_twilio_credentials
  for each row execute function public.move_credential_secrets();

alter table public.user_twilio_credentials alter column auth_token drop not null;

-- Existing rows: their secrets move now (the trigger does it), whatever form they are in.
update public.user_twilio_credentials set auth_token = auth_token, sip_password = sip_password
where auth_token is not null or sip_password is not null;

comment on column public.user_twilio_credentials.auth_token is
  'Inlet only: a value written here is moved into twilio_credential_secrets at once; reads null';
comment on column public.user_twilio_credentials.sip_password is
  'Inlet only: a value written here is moved into twilio_credential_secrets at once; reads null';

-- Owners read their rows whole; nothing secret is left in them.
grant select on public.user_twilio_credentials to authenticated;

-- A deleted row with nothing in Twilio leaves nothing to tear down: its secrets go with it at once.
create or replace function public.forget_secrets_of_bare_credential() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.trunk_sid is null and old.credential_list_sid is null
     and not exists (select from public.twilio_phone_numbers n where n.credential_id = old.id) then
    delete from public.twilio_credential_secrets where credential_id = old.id;
  end if;
  return null;
end
$$;

revoke all on function public.forget_secrets_of_bare_credential() from public, anon, authenticated;

drop trigger if exists user_twilio_credentials_forget_bare_secrets on public.user_twilio_credentials;
create trigger user_twilio_credentials_forget_bare_secrets
  after delete on public.user_twilio_credentials
  for each row execute function public.forget_secrets_of_bare_credential();
