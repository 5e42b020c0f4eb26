-- The SIP columns, under the names existing installations already use. Written to apply on its own with
-- `psql -f` to a database that already has user_twilio_credentials, and to be harmless when re-run.

alter table public.user_twilio_credentials
  add column if not exists domain_name text,
  add column if not exists domain_prefix text,
  add column if not exists credential_list_sid text,
  add column if not exists sip_username text,
  add column if not exists sip_password text;

comment on column public.user_twilio_credentials.domain_name is
  'Termination host of the main trunk, e.g. user-abc-1732400000.pstn.twilio.com';
comment on column public.user_twilio_credentials.sip_password is
  'Ciphertext (AES-256-GCM, see _shared/crypto); Twilio keeps only a digest, LiveKit needs the password';
