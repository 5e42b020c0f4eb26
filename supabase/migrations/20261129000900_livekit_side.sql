-- The LiveKit side of each customer, when the platform's LiveKit project is configured: an outbound trunk (to
-- the Twilio termination host, with the SIP credential), an inbound trunk (the attached numbers, exactly) and a
-- dispatch rule scoped to it. A number with an agent of its own gets an inbound trunk and a rule of its own.
-- Every id is recorded the moment it exists; a teardown deletes them all.

alter table public.user_twilio_credentials
  add column if not exists livekit_outbound_trunk_id text,
  add column if not exists livekit_inbound_trunk_id text,
  add column if not exists livekit_dispatch_rule_id text;

alter table public.twilio_phone_numbers
  add column if not exists agent_name text check (char_length(agent_name) between 1 and 128),
  add column if not exists livekit_inbound_trunk_id text,
  add column if not exists livekit_dispatch_rule_id text;

alter table public.twilio_teardowns
  add column if not exists livekit_object_ids text[] not null default '{}';

create or replace function public.record_credential_teardown() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  livekit_ids text[] := array_remove(array[old.livekit_dispatch_rule_id, old.livekit_inbound_trunk_id,
                                           old.livekit_outbound_trunk_id], null);
begin
  if old.trunk_sid is null and old.credential_list_sid is null and cardinality(livekit_ids) = 0
     and not exists (select from public.twilio_phone_numbers n where n.credential_id = old.id) then
    -- Nothing in Twilio or LiveKit: nothing to tear down, and the secrets can go at once.
    delete from public.twilio_credential_secrets where credential_id = old.id;
    return null;
  end if;
  insert into public.twilio_teardowns (credential_id, user_id, account_sid, twilio_region, trunk_sid,
                                       credential_list_sid, owned_resources, livekit_object_ids)
  values (old.id, old.user_id, old.account_sid, old.twilio_region, old.trunk_sid, old.credential_list_sid,
          old.owned_resources, livekit_ids)
  on conflict (credential_id) do nothing;
  return null;
end
$$;
