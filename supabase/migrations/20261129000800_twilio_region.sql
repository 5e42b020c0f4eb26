-- The Twilio region of each connected account (US1 unless the customer says otherwise): it picks Twilio's
-- regional hosts, since an IE1 or AU1 account's credentials work only there. Teardowns carry it too.

alter table public.user_twilio_credentials
  add column if not exists twilio_region text not null default 'us1'
    check (twilio_region in ('us1', 'ie1', 'au1'));

alter table public.twilio_teardowns
  add column if not exists twilio_region text not null default 'us1';

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
  insert into public.twilio_teardowns (credential_id, user_id, account_sid, twilio_region, trunk_sid,
                                       credential_list_sid, owned_resources)
  values (old.id, old.user_id, old.account_sid, old.twilio_region, old.trunk_sid, old.credential_list_sid,
          old.owned_resources)
  on conflict (credential_id) do nothing;
  return null;
end
$$;
