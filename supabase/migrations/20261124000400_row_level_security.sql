-- Row-level security on every table. A signed-in user sees their own rows and nothing else; anon sees nothing;
-- ciphertext columns (auth_token, sip_password) are readable by no API role but service_role.
--
-- authenticated may NOT insert credentials directly: a row inserted from a browser would carry a plaintext auth
-- token into the table, its WAL and its backups before anything could encrypt it, and would skip the check that
-- the credentials work. Users go through create-main-trunk; server-side systems insert with service_role and the
-- webhook provisions (and encrypts) what they wrote. Users may rename (label) and delete their own rows; deleting
-- fires the webhook that deprovisions the trunk.

alter table public.user_twilio_credentials enable row level security;
alter table public.twilio_phone_numbers enable row level security;
alter table public.provisioning_events enable row level security;

revoke all on public.user_twilio_credentials, public.twilio_phone_numbers, public.provisioning_events
  from anon, authenticated;
grant all on public.user_twilio_credentials, public.twilio_phone_numbers to service_role;
grant select, insert on public.provisioning_events to service_role;
revoke update, delete, truncate on public.provisioning_events from service_role;

-- Column privileges: every column except the two ciphertexts. New columns stay hidden until granted here.
grant select (
  id, user_id, account_sid, trunk_sid, label, is_active, created_at, updated_at,
  domain_name, domain_prefix, credential_list_sid, sip_username,
  status, last_error_code, last_error_message, credential_sid, origination_url_sid,
  fallback_origination_url_sid, recording_mode, recording_trim, provisioned_at
) on public.user_twilio_credentials to authenticated;
grant update (label) on public.user_twilio_credentials to authenticated;
grant delete on public.user_twilio_credentials to authenticated;
grant select on public.twilio_phone_numbers, public.provisioning_events to authenticated;

drop policy if exists "owner reads own credentials" on public.user_twilio_credentials;
create policy "owner reads own credentials" on public.user_twilio_credentials
  for select to authenticated using (user_id = (select auth.uid()));

drop policy if exists "owner renames own credentials" on public.user_twilio_credentials;
create policy "owner renames own credentials" on public.user_twilio_credentials
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "owner deletes own credentials" on public.user_twilio_credentials;
create policy "owner deletes own credentials" on public.user_twilio_credentials
  for delete to authenticated using (user_id = (select auth.uid()));

drop policy if exists "owner reads own numbers" on public.twilio_phone_numbers;
create policy "owner reads own numbers" on public.twilio_phone_numbers
  for select to authenticated using (user_id = (select auth.uid()));

drop policy if exists "owner reads own events" on public.provisioning_events;
create policy "owner reads own events" on public.provisioning_events
  for select to authenticated using (user_id = (select auth.uid()));
